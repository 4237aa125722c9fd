using System.Collections.Frozen;

namespace Bulwark.Core.Compliance;

/// <summary>
/// International Bank Account Numbers (ISO 13616): country code, two check digits, a national account number; printed
/// in groups of four or written without spaces. Valid only when the ISO 7064 MOD 97-10 check gives 1 and, for a country
/// in the registry below, the length is that country's.
/// </summary>
internal static class IbanDetector
{
    private const int MinLength = 15;
    private const int MaxLength = 34;

    /// <summary>IBAN lengths per country from the SWIFT IBAN registry; other country codes are checked by MOD 97 alone.</summary>
    private static readonly FrozenDictionary<string, int> Lengths = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["AD"] = 24, ["AE"] = 23, ["AL"] = 28, ["AT"] = 20, ["AZ"] = 28, ["BA"] = 20, ["BE"] = 16, ["BG"] = 22,
        ["BH"] = 22, ["BR"] = 29, ["BY"] = 28, ["CH"] = 21, ["CR"] = 22, ["CY"] = 28, ["CZ"] = 24, ["DE"] = 22,
        ["DK"] = 18, ["DO"] = 28, ["EE"] = 20, ["EG"] = 29, ["ES"] = 24, ["FI"] = 18, ["FO"] = 18, ["FR"] = 27,
        ["GB"] = 22, ["GE"] = 22, ["GI"] = 23, ["GL"] = 18, ["GR"] = 27, ["GT"] = 28, ["HR"] = 21, ["HU"] = 28,
        ["IE"] = 22, ["IL"] = 23, ["IS"] = 26, ["IT"] = 27, ["JO"] = 30, ["KW"] = 30, ["KZ"] = 20, ["LB"] = 28,
        ["LC"] = 32, ["LI"] = 21, ["LT"] = 20, ["LU"] = 20, ["LV"] = 21, ["MC"] = 27, ["MD"] = 24, ["ME"] = 22,
        ["MK"] = 19, ["MR"] = 27, ["MT"] = 31, ["MU"] = 30, ["NL"] = 18, ["NO"] = 15, ["PK"] = 24, ["PL"] = 28,
        ["PS"] = 29, ["PT"] = 25, ["QA"] = 29, ["RO"] = 24, ["RS"] = 22, ["SA"] = 24, ["SC"] = 31, ["SE"] = 24,
        ["SI"] = 19, ["SK"] = 24, ["SM"] = 27, ["ST"] = 25, ["TL"] = 23, ["TN"] = 24, ["TR"] = 26, ["UA"] = 29,
        ["VA"] = 22, ["VG"] = 24, ["XK"] = 20,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static bool IsIban(ReadOnlySpan<char> cell)
    {
        var trimmed = cell.Trim(' ');
        if (trimmed.Length < MinLength || trimmed.Length > MaxLength + (MaxLength / 4))
        {
            return false;
        }

        // Electronic form, or the printed form with single spaces between groups.
        Span<char> iban = stackalloc char[MaxLength];
        var length = 0;
        for (var i = 0; i < trimmed.Length; i++)
        {
            var c = char.ToUpperInvariant(trimmed[i]);
            if (c == ' ' && trimmed[i - 1] != ' ')
            {
                continue;
            }

            if ((!char.IsAsciiDigit(c) && !char.IsAsciiLetterUpper(c)) || length == MaxLength)
            {
                return false;
            }

            iban[length++] = c;
        }

        if (length < MinLength || !char.IsAsciiLetterUpper(iban[0]) || !char.IsAsciiLetterUpper(iban[1])
            || !char.IsAsciiDigit(iban[2]) || !char.IsAsciiDigit(iban[3]))
        {
            return false;
        }

        var country = new string(iban[..2]);
        if (Lengths.TryGetValue(country, out var expected) && expected != length)
        {
            return false;
        }

        return Mod97(iban[..length]) == 1;
    }

    /// <summary>ISO 7064 MOD 97-10 over the rearranged IBAN (first four characters moved to the end, A = 10 … Z = 35).</summary>
    private static int Mod97(ReadOnlySpan<char> iban)
    {
        var remainder = 0;
        for (var k = 0; k < iban.Length; k++)
        {
            var c = iban[(k + 4) % iban.Length];
            if (char.IsAsciiDigit(c))
            {
                remainder = ((remainder * 10) + (c - '0')) % 97;
            }
            else
            {
                remainder = ((remainder * 100) + (c - 'A' + 10)) % 97;
            }
        }

        return remainder;
    }
}

using System.Collections.Frozen;
using System.Globalization;

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
    private static readonly FrozenDictionary<string, int> Lengths = (
        "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DK18 DO28 EE20 EG29 "
        + "ES24 FI18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IS26 IT27 JO30 KW30 KZ20 LB28 "
        + "LC32 LI21 LT20 LU20 LV21 MC27 MD24 ME22 MK19 MR27 MT31 MU30 NL18 NO15 PK24 PL28 PS29 PT25 QA29 RO24 "
        + "RS22 SA24 SC31 SE24 SI19 SK24 SM27 ST25 TL23 TN24 TR26 UA29 VA22 VG24 XK20 ")
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)
        .ToFrozenDictionary(e => e[..2], e => int.Parse(e[2..], CultureInfo.InvariantCulture), StringComparer.Ordinal);

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

namespace Bulwark.Core.Compliance;

/// <summary>
/// Telephone numbers: E.164 with its "+" (ITU-T E.164 §6: at most 15 digits, no leading zero in the country code), the
/// "00" international prefix, North American numbers written 3-3-4 (NANP: area code and exchange start with 2–9), and
/// national numbers with a single trunk "0" written with separators (020 7946 0958, 01 23 45 67 89).
/// </summary>
/// <remarks>
/// A bare run of digits is a phone number only when the column's name says so (<c>hinted</c>): without
/// that, 4155552671 is as likely an order id, and ids must not make a dataset confidential. For the same reason a
/// formatted number must have a phone number's digit count: 555-0100 (7 digits), 123-45-6789 (9) and 2024-01-15 (8) are
/// not phones.
/// </remarks>
internal static class PhoneDetector
{
    private const int MaxLength = 32;

    public static bool IsPhone(ReadOnlySpan<char> cell, bool hinted)
    {
        var text = cell.Trim(' ');
        if (text.Length is < 7 or > MaxLength || !(char.IsAsciiDigit(text[0]) || text[0] is '+' or '(') || !char.IsAsciiDigit(text[^1]))
        {
            return false;
        }

        Span<char> digits = stackalloc char[MaxLength];
        Span<int> groups = stackalloc int[MaxLength];
        var count = 0;
        var groupCount = 0;
        var separators = 0;
        var parens = 0;
        var international = text[0] == '+';
        for (var i = international ? 1 : 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiDigit(c))
            {
                if (i == 0 || !char.IsAsciiDigit(text[i - 1]))
                {
                    groups[groupCount++] = 0;
                }

                groups[groupCount - 1]++;
                digits[count++] = c;
                continue;
            }

            var previous = i > 0 ? text[i - 1] : '\0';
            switch (c)
            {
                case '(' when parens == 0 && (i == (international ? 1 : 0) || previous == ' '):
                    parens = 1;
                    break;
                case ')' when parens == 1 && char.IsAsciiDigit(previous):
                    parens = 2;
                    break;
                case ' ' or '-' or '.' when char.IsAsciiDigit(previous) || previous == ')':
                    separators++;
                    break;
                default:
                    return false;
            }
        }

        if (parens == 1 || count == 0 || !char.IsAsciiDigit(text[^1]))
        {
            return false;
        }

        var number = digits[..count];
        var formatted = separators > 0 || parens == 2;
        if (international)
        {
            return count is >= 8 and <= 15 && number[0] != '0' && (number[0] != '1' || (count == 11 && IsNanp(number[1..])));
        }

        if (number.StartsWith("00"))
        {
            // "00" + E.164: the country code may not start with 0.
            return count is >= 10 and <= 17 && number[2] != '0' && (formatted || hinted);
        }

        if (number[0] == '0')
        {
            return count is 10 or 11 && (formatted || hinted);
        }

        var nanp = number[0] == '1' && count == 11 ? number[1..] : number;
        if (nanp.Length != 10 || !IsNanp(nanp))
        {
            return false;
        }

        if (!formatted)
        {
            return hinted;
        }

        // Written 3-3-4 (after an optional country code 1), or "(415) 5552671".
        var g = groups[..groupCount];
        var offset = count == 11 && g[0] == 1 ? 1 : 0;
        var rest = g[offset..];
        return (rest.Length == 3 && rest[0] == 3 && rest[1] == 3 && rest[2] == 4) || (rest.Length == 2 && parens == 2 && rest[0] == 3 && rest[1] == 7);
    }

    /// <summary>NANP numbering: NXX-NXX-XXXX with N in 2–9, and the area code is not an N11 service code.</summary>
    private static bool IsNanp(ReadOnlySpan<char> ten) =>
        ten.Length == 10 && ten[0] >= '2' && ten[3] >= '2' && !(ten[1] == '1' && ten[2] == '1');
}

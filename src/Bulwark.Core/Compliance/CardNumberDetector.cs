namespace Bulwark.Core.Compliance;

/// <summary>
/// Finds payment card numbers (PANs): 13–19 digits, optionally grouped by single spaces or dashes, that pass the Luhn
/// check (ISO/IEC 7812-1 Annex B) and start with an issuer prefix of a known card scheme for that length. The prefix
/// table is what keeps 16-digit order ids, nanosecond timestamps and account numbers that happen to pass Luhn (one in
/// ten does) from being taken for cards: those mostly start with 1, 7, 8 or 9, which no listed scheme issues.
/// </summary>
/// <remarks>
/// PCI DSS 4.0 req. 3.3–3.5 govern what may be kept of a PAN; this class only recognises one. A cell holding a valid
/// IBAN is never scanned: its bank and account digits could otherwise look like a card by chance.
/// </remarks>
internal static partial class CardNumberDetector
{
    public const int MinDigits = 13;
    public const int MaxDigits = 19;

    /// <summary>One PAN inside a cell: where it is (including its separators) and its digits only.</summary>
    public readonly record struct Occurrence(int Start, int Length, string Digits);

    /// <summary>
    /// Issuer identification ranges, compared on the first <c>Prefix</c> digits, with the lengths each scheme issues.
    /// Sources: ISO/IEC 7812 registrations as published by the schemes (Visa, Mastercard incl. the 2-series, American
    /// Express, Discover, JCB, Diners Club, UnionPay, Maestro, Mir, RuPay, Troy).
    /// </summary>
    private static readonly (int Prefix, int Low, int High, int MinLength, int MaxLength)[] Ranges =
    [
        (1, 4, 4, 13, 19),             // Visa (13, 16 and 19 in practice; the other lengths only ever hold cards too)
        (2, 34, 34, 15, 15),           // American Express
        (2, 37, 37, 15, 15),
        (2, 51, 55, 16, 16),           // Mastercard
        (4, 2221, 2720, 16, 16),       // Mastercard 2-series
        (4, 2200, 2204, 16, 19),       // Mir
        (3, 300, 305, 14, 19),         // Diners Club International
        (4, 3095, 3095, 14, 19),
        (2, 36, 36, 14, 19),
        (2, 38, 39, 14, 19),
        (4, 3528, 3589, 16, 19),       // JCB
        (2, 50, 50, 13, 19),           // Maestro
        (2, 56, 58, 13, 19),
        (1, 6, 6, 13, 19),             // Discover, UnionPay, Maestro, RuPay: the whole 6-series
        (2, 81, 82, 16, 16),           // RuPay, UnionPay
        (4, 9792, 9792, 16, 16),       // Troy
    ];

    /// <summary>Most separator characters joined between two digit groups (so "4111  1111" with a double space is one run).</summary>
    private const int MaxSeparatorRun = 3;

    /// <summary>True when the whole of <paramref name="cell"/> is a PAN (digits with optional single-space or dash groups).</summary>
    public static bool IsPan(ReadOnlySpan<char> cell) => IsCardShaped(cell, out var digits) && IsValidPan(digits);

    /// <summary>
    /// <paramref name="text"/> with the same length and positions, in the forms the scanners understand: every Unicode
    /// decimal digit (full-width "４１１１", Arabic-Indic, …) as its ASCII digit, every kind of space (no-break, thin,
    /// figure, tab) as ' ', slashes and Unicode dashes as '-', and the dots of a dotted card grouping
    /// ("4111.1111.1111.1111": three or more groups of 3–6 digits) as ' '. A single dot stays a dot: it is a decimal
    /// point, whose fraction is never taken for a card.
    /// </summary>
    public static string Normalize(string text)
    {
        char[]? buffer = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var mapped = c switch
            {
                _ when char.IsAsciiDigit(c) => c,
                _ when char.IsDigit(c) && char.GetNumericValue(c) is >= 0 and <= 9 and var v => (char)('0' + (int)v),
                '/' or '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2212' => '-',
                _ when c != ' ' && (char.IsWhiteSpace(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.SpaceSeparator) => ' ',
                _ => c,
            };
            if (mapped != c)
            {
                buffer ??= text.ToCharArray();
                buffer[i] = mapped;
            }
        }

        var normalized = buffer is null ? text : new string(buffer);
        if (!normalized.Contains('.', StringComparison.Ordinal))
        {
            return normalized;
        }

        return DottedGrouping().Replace(normalized, m => m.Value.Replace('.', ' '));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<![\d.])\d{3,6}(?:\.\d{3,6}){2,5}(?![\d.])", System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial System.Text.RegularExpressions.Regex DottedGrouping();

    /// <summary>
    /// True when the whole cell is 13–19 digits, optionally in groups separated by one space or dash; the digits are
    /// returned without separators. Luhn is not checked: in a card column a mistyped number is still cardholder data.
    /// </summary>
    public static bool IsCardShaped(ReadOnlySpan<char> cell, out string digits)
    {
        digits = "";
        var trimmed = Normalize(cell.ToString()).AsSpan().Trim(' ');
        if (trimmed.Length is < MinDigits or > MaxDigits * 2 || !char.IsAsciiDigit(trimmed[0]) || !char.IsAsciiDigit(trimmed[^1]))
        {
            return false;
        }

        Span<char> buffer = stackalloc char[MaxDigits];
        var count = 0;
        for (var i = 0; i < trimmed.Length; i++)
        {
            var c = trimmed[i];
            if (char.IsAsciiDigit(c))
            {
                if (count == MaxDigits)
                {
                    return false;
                }

                buffer[count++] = c;
            }
            else if (c is not (' ' or '-'))
            {
                return false; // another character
            }
            else
            {
                // A short run of separators between two digits ("4111 - 1111", a double space).
                var run = 1;
                while (i + 1 < trimmed.Length && trimmed[i + 1] is ' ' or '-' && run < MaxSeparatorRun)
                {
                    i++;
                    run++;
                }

                if (i + 1 >= trimmed.Length || !char.IsAsciiDigit(trimmed[i + 1]))
                {
                    return false;
                }
            }
        }

        if (count < MinDigits)
        {
            return false;
        }

        digits = new string(buffer[..count]);
        return true;
    }

    /// <summary>Luhn and a known issuer prefix for the length; <paramref name="digits"/> holds ASCII digits only.</summary>
    public static bool IsValidPan(ReadOnlySpan<char> digits) =>
        digits.Length is >= MinDigits and <= MaxDigits && HasKnownPrefix(digits) && PassesLuhn(digits);

    /// <summary>The Luhn (mod 10) check of ISO/IEC 7812-1 Annex B.</summary>
    public static bool PassesLuhn(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubled = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (d is < 0 or > 9)
            {
                return false;
            }

            if (doubled)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubled = !doubled;
        }

        return digits.Length > 0 && sum % 10 == 0;
    }

    public static bool HasKnownPrefix(ReadOnlySpan<char> digits)
    {
        foreach (var (prefix, low, high, minLength, maxLength) in Ranges)
        {
            if (digits.Length < minLength || digits.Length > maxLength)
            {
                continue;
            }

            var value = 0;
            for (var i = 0; i < prefix; i++)
            {
                value = (value * 10) + (digits[i] - '0');
            }

            if (value >= low && value <= high)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Every PAN in free text: each maximal run of digits joined by single spaces or dashes that holds 13–19 digits and
    /// is a valid PAN; a longer run is also checked group by group, so "ref 1234 4111111111111111" is still caught.
    /// The fractional digits of a decimal number are skipped, and a cell that is a valid IBAN yields nothing.
    /// </summary>
    public static IReadOnlyList<Occurrence> Find(string original)
    {
        var text = Normalize(original);
        List<Occurrence>? found = null;
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                i++;
                continue;
            }

            // The digits after a decimal point are a fraction, never a card: floating-point noise such as
            // "0.6200000000000001" would otherwise pass for one about one time in ten.
            if (i >= 2 && text[i - 1] == '.' && char.IsAsciiDigit(text[i - 2]))
            {
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }

                continue;
            }

            // A maximal run: digits, and single separators with a digit on both sides.
            var start = i;
            var digitCount = 0;
            var end = i;
            while (end < text.Length)
            {
                if (char.IsAsciiDigit(text[end]))
                {
                    digitCount++;
                    end++;
                }
                else if (text[end] is ' ' or '-' && SeparatorRun(text, end) is > 0 and var run)
                {
                    end += run;
                }
                else
                {
                    break;
                }
            }

            if (digitCount is >= MinDigits and <= MaxDigits)
            {
                var digits = DigitsOf(text.AsSpan(start, end - start));
                if (IsValidPan(digits))
                {
                    (found ??= []).Add(new Occurrence(start, end - start, digits));
                }
            }
            else if (digitCount > MaxDigits)
            {
                CheckGroups(text, start, end, ref found);
            }

            i = end;
        }

        if (found is not null && IbanDetector.IsIban(original))
        {
            return [];
        }

        return found ?? (IReadOnlyList<Occurrence>)[];
    }

    /// <summary>The length of the separator run at <paramref name="at"/> when a digit follows it within <see cref="MaxSeparatorRun"/>; else 0.</summary>
    private static int SeparatorRun(string text, int at)
    {
        var run = 0;
        while (at + run < text.Length && text[at + run] is ' ' or '-' && run < MaxSeparatorRun)
        {
            run++;
        }

        return at + run < text.Length && char.IsAsciiDigit(text[at + run]) ? run : 0;
    }

    private static void CheckGroups(string text, int start, int end, ref List<Occurrence>? found)
    {
        var i = start;
        while (i < end)
        {
            var groupEnd = i;
            while (groupEnd < end && char.IsAsciiDigit(text[groupEnd]))
            {
                groupEnd++;
            }

            var length = groupEnd - i;
            if (length is >= MinDigits and <= MaxDigits && IsValidPan(text.AsSpan(i, length)))
            {
                (found ??= []).Add(new Occurrence(i, length, text.Substring(i, length)));
            }

            i = groupEnd + 1; // skip the separator
        }
    }

    private static string DigitsOf(ReadOnlySpan<char> run)
    {
        Span<char> buffer = stackalloc char[run.Length];
        var count = 0;
        foreach (var c in run)
        {
            if (char.IsAsciiDigit(c))
            {
                buffer[count++] = c;
            }
        }

        return new string(buffer[..count]);
    }
}

using System.Buffers;

namespace Bulwark.Core.Identity.Passwords;

/// <summary>
/// Finds years (1900-2099) and dates such as 13/05/1985, 1985-05-13, 130585 or 5.13.85:
/// zxcvbn's regex (recent year) and date matchers.
/// </summary>
internal static class DateMatcher
{
    private const int MinYear = 1900;
    private const int MaxYear = 2099;

    private static readonly SearchValues<char> Separators = SearchValues.Create(" /\\_.-");

    // zxcvbn's DATE_SPLITS: where to cut a run of 4-8 digits into day, month and year.
    private static readonly Dictionary<int, (int, int)[]> Splits = new()
    {
        [4] = [(1, 2), (2, 3)],
        [5] = [(1, 3), (2, 3)],
        [6] = [(1, 2), (2, 4), (4, 5)],
        [7] = [(1, 3), (2, 3), (4, 5), (4, 6)],
        [8] = [(2, 4), (4, 6)],
    };

    public static void AddMatches(string password, int referenceYear, List<PasswordMatch> matches)
    {
        AddYears(password, matches);
        AddDatesWithoutSeparator(password, referenceYear, matches);
        AddDatesWithSeparator(password, matches);
    }

    private static void AddYears(string password, List<PasswordMatch> matches)
    {
        for (var i = 0; i + 4 <= password.Length; i++)
        {
            if (TryDigits(password.AsSpan(i, 4), out var year) && year is >= MinYear and <= MaxYear)
            {
                matches.Add(new PasswordMatch(PasswordPattern.Year, i, i + 3, password.Substring(i, 4)) { Year = year });
            }
        }
    }

    private static void AddDatesWithoutSeparator(string password, int referenceYear, List<PasswordMatch> matches)
    {
        for (var i = 0; i + 4 <= password.Length; i++)
        {
            for (var length = 4; length <= 8 && i + length <= password.Length; length++)
            {
                var token = password.AsSpan(i, length);
                if (!TryDigits(token, out _))
                {
                    break;
                }

                int? best = null;
                foreach (var (k, l) in Splits[length])
                {
                    if (TryDigits(token[..k], out var a) && TryDigits(token[k..l], out var b) && TryDigits(token[l..], out var c)
                        && ToYear(a, b, c) is { } year
                        && (best is null || Math.Abs(year - referenceYear) < Math.Abs(best.Value - referenceYear)))
                    {
                        best = year;
                    }
                }

                if (best is { } found)
                {
                    matches.Add(new PasswordMatch(PasswordPattern.Date, i, i + length - 1, token.ToString()) { Year = found });
                }
            }
        }
    }

    private static void AddDatesWithSeparator(string password, List<PasswordMatch> matches)
    {
        for (var i = 0; i + 6 <= password.Length; i++)
        {
            for (var length = 6; length <= 10 && i + length <= password.Length; length++)
            {
                var token = password.AsSpan(i, length);
                var first = token.IndexOfAny(Separators);
                if (first is < 1 or > 4)
                {
                    continue;
                }

                var separator = token[first];
                var second = token[(first + 1)..].IndexOf(separator);
                if (second is < 1 or > 2)
                {
                    continue;
                }

                second += first + 1;
                if (TryDigits(token[..first], out var a) && TryDigits(token[(first + 1)..second], out var b)
                    && token.Length - second - 1 is >= 1 and <= 4 && TryDigits(token[(second + 1)..], out var c)
                    && ToYear(a, b, c) is { } year)
                {
                    matches.Add(new PasswordMatch(PasswordPattern.Date, i, i + length - 1, token.ToString()) { Year = year, HasSeparator = true });
                }
            }
        }
    }

    /// <summary>zxcvbn's map_ints_to_dmy: the year of a plausible day-month-year reading, if any.</summary>
    private static int? ToYear(int a, int b, int c)
    {
        if (b is > 31 or <= 0)
        {
            return null;
        }

        int[] ints = [a, b, c];
        var over12 = ints.Count(v => v > 12);
        var over31 = ints.Count(v => v > 31);
        var under1 = ints.Count(v => v <= 0);
        if (ints.Any(v => v is > 99 and < MinYear or > MaxYear) || over31 >= 2 || over12 == 3 || under1 >= 2)
        {
            return null;
        }

        foreach (var (year, d, m) in new[] { (c, a, b), (a, b, c) })
        {
            if (year is >= MinYear and <= MaxYear)
            {
                return IsDayMonth(d, m) ? year : null;
            }
        }

        foreach (var (year, d, m) in new[] { (c, a, b), (a, b, c) })
        {
            if (year <= 99 && IsDayMonth(d, m))
            {
                // Two-digit years: 51-99 are read as 19xx, 00-50 as 20xx (zxcvbn).
                return year > 50 ? year + 1900 : year + 2000;
            }
        }

        return null;
    }

    private static bool IsDayMonth(int x, int y) => (x is >= 1 and <= 31 && y is >= 1 and <= 12) || (y is >= 1 and <= 31 && x is >= 1 and <= 12);

    private static bool TryDigits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 8)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}

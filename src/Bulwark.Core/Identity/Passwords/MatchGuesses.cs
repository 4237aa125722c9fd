namespace Bulwark.Core.Identity.Passwords;

/// <summary>
/// How many guesses an attacker who knows the pattern needs for one match: zxcvbn's
/// <c>estimate_guesses</c> and its per-pattern formulas.
/// </summary>
internal static class MatchGuesses
{
    public const double BruteforceCardinality = 10;
    public const double MinSubmatchGuessesSingleChar = 10;
    public const double MinSubmatchGuessesMultiChar = 50;
    public const double MinYearSpace = 20;

    public static double Estimate(PasswordMatch match, int passwordLength, int referenceYear)
    {
        var guesses = match.Pattern switch
        {
            PasswordPattern.Bruteforce => Bruteforce(match),
            PasswordPattern.Dictionary => Dictionary(match),
            PasswordPattern.Repeat => match.BaseGuesses * match.RepeatCount,
            PasswordPattern.Sequence => Sequence(match),
            PasswordPattern.Spatial => Spatial(match),
            PasswordPattern.Year => Math.Max(Math.Abs(match.Year - referenceYear), MinYearSpace),
            PasswordPattern.Date => Math.Max(Math.Abs(match.Year - referenceYear), MinYearSpace) * 365 * (match.HasSeparator ? 4 : 1),
            _ => throw new ArgumentOutOfRangeException(nameof(match)),
        };

        // A piece of a longer password is never credited with fewer guesses than a short bruteforce.
        var minimum = match.Length >= passwordLength ? 1
            : match.Length == 1 ? MinSubmatchGuessesSingleChar : MinSubmatchGuessesMultiChar;
        return Math.Max(guesses, minimum);
    }

    private static double Bruteforce(PasswordMatch match)
    {
        var guesses = Math.Pow(BruteforceCardinality, match.Length);
        var minimum = match.Length == 1 ? MinSubmatchGuessesSingleChar + 1 : MinSubmatchGuessesMultiChar + 1;
        return Math.Max(double.IsFinite(guesses) ? guesses : double.MaxValue, minimum);
    }

    private static double Dictionary(PasswordMatch match)
    {
        var guesses = match.Rank * UppercaseVariations(match.Token) * L33tVariations(match);
        return match.Reversed ? guesses * 2 : guesses;
    }

    private static double Sequence(PasswordMatch match)
    {
        var first = match.Token[0];
        double baseGuesses = first is 'a' or 'A' or 'z' or 'Z' or '0' or '1' or '9' ? 4
            : char.IsAsciiDigit(first) ? 10
            : 26;
        return (match.Ascending ? baseGuesses : baseGuesses * 2) * match.Length;
    }

    private static double Spatial(PasswordMatch match)
    {
        var starts = SpatialMatcher.StartingPositions;
        var degree = SpatialMatcher.AverageDegree;
        var guesses = 0d;
        for (var i = 2; i <= match.Length; i++)
        {
            for (var j = 1; j <= Math.Min(match.Turns, i - 1); j++)
            {
                guesses += Binomial(i - 1, j - 1) * starts * Math.Pow(degree, j);
            }
        }

        if (match.ShiftedCount > 0)
        {
            var unshifted = match.Length - match.ShiftedCount;
            guesses *= unshifted == 0 ? 2 : VariationSum(match.ShiftedCount, unshifted);
        }

        return guesses;
    }

    /// <summary>"Password" or "PASSWORD" double the guesses; mixed case counts the placements.</summary>
    public static double UppercaseVariations(string token)
    {
        var upper = token.Count(char.IsUpper);
        var lower = token.Count(char.IsLower);
        if (upper == 0)
        {
            return 1;
        }

        var firstOnly = char.IsUpper(token[0]) && upper == 1;
        var lastOnly = char.IsUpper(token[^1]) && upper == 1;
        return firstOnly || lastOnly || lower == 0 ? 2 : VariationSum(upper, lower);
    }

    private static double L33tVariations(PasswordMatch match)
    {
        if (match.L33tSubstitutions is null)
        {
            return 1;
        }

        var variations = 1d;
        var lowerToken = match.Token.ToLowerInvariant();
        foreach (var (subbed, letter) in match.L33tSubstitutions)
        {
            var s = lowerToken.Count(c => c == subbed);
            var u = lowerToken.Count(c => c == letter);
            variations *= s == 0 || u == 0 ? 2 : VariationSum(s, u);
        }

        return variations;
    }

    private static double VariationSum(int a, int b)
    {
        var sum = 0d;
        for (var i = 1; i <= Math.Min(a, b); i++)
        {
            sum += Binomial(a + b, i);
        }

        return sum;
    }

    public static double Binomial(int n, int k)
    {
        if (k < 0 || k > n)
        {
            return 0;
        }

        var result = 1d;
        for (var d = 1; d <= k; d++)
        {
            result = result * (n - k + d) / d;
        }

        return result;
    }
}

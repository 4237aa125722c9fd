namespace Bulwark.Core.Identity.Passwords;

/// <summary>
/// Finds a unit typed several times in a row ("aaaa", "abcabc"): zxcvbn's repeat matcher.
/// At each position it keeps the longest run, preferring the shortest unit, then moves past it.
/// </summary>
internal static class RepeatMatcher
{
    public static void AddMatches(string password, Func<string, double> guessesOf, List<PasswordMatch> matches)
    {
        var n = password.Length;
        var i = 0;
        while (i < n - 1)
        {
            var bestSpan = 0;
            var bestUnit = 0;
            for (var unit = 1; unit <= (n - i) / 2; unit++)
            {
                var span = unit;
                while (i + span + unit <= n
                    && password.AsSpan(i, unit).SequenceEqual(password.AsSpan(i + span, unit)))
                {
                    span += unit;
                }

                if (span > unit && span > bestSpan)
                {
                    bestSpan = span;
                    bestUnit = unit;
                }
            }

            if (bestSpan == 0)
            {
                i++;
                continue;
            }

            var baseToken = password.Substring(i, bestUnit);
            matches.Add(new PasswordMatch(PasswordPattern.Repeat, i, i + bestSpan - 1, password.Substring(i, bestSpan))
            {
                BaseToken = baseToken,
                BaseGuesses = guessesOf(baseToken),
                RepeatCount = bestSpan / bestUnit,
            });
            i += bestSpan;
        }
    }
}

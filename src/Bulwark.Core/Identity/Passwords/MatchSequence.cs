namespace Bulwark.Core.Identity.Passwords;

/// <summary>
/// zxcvbn's <c>most_guessable_match_sequence</c>: a dynamic programme over the matches that finds
/// the non-overlapping cover of the password (gaps filled by bruteforce) with the fewest guesses.
/// The guesses of a sequence of <c>l</c> matches are <c>l! · Π guesses + 10000^(l-1)</c>: the
/// factorial for the order of the pieces, the additive term so that many short pieces are not
/// cheaper than a few long ones. Computed in log10 so long inputs cannot overflow.
/// </summary>
internal static class MatchSequence
{
    private const double MinGuessesBeforeGrowingSequenceLog10 = 4; // 10,000

    public static (double GuessesLog10, IReadOnlyList<PasswordMatch> Sequence) MostGuessable(
        string password, IReadOnlyList<PasswordMatch> matches, int referenceYear, bool excludeAdditive)
    {
        var n = password.Length;
        if (n == 0)
        {
            return (0, []);
        }

        var byEnd = new List<PasswordMatch>[n];
        for (var k = 0; k < n; k++)
        {
            byEnd[k] = [];
        }

        foreach (var match in matches.OrderBy(m => m.Start))
        {
            byEnd[match.End].Add(match);
        }

        // optimal[k][l]: best sequence of l matches covering password[0..k].
        var optimal = new Dictionary<int, Entry>[n];
        for (var k = 0; k < n; k++)
        {
            optimal[k] = [];
        }

        for (var k = 0; k < n; k++)
        {
            foreach (var match in byEnd[k])
            {
                if (match.Start > 0)
                {
                    foreach (var l in optimal[match.Start - 1].Keys.ToArray())
                    {
                        Update(match, l + 1);
                    }
                }
                else
                {
                    Update(match, 1);
                }
            }

            UpdateBruteforce(k);
        }

        var bestLength = 0;
        var best = double.PositiveInfinity;
        foreach (var (l, entry) in optimal[n - 1])
        {
            if (entry.GuessesLog10 < best)
            {
                best = entry.GuessesLog10;
                bestLength = l;
            }
        }

        var sequence = new List<PasswordMatch>(bestLength);
        for (int k = n - 1, l = bestLength; k >= 0; l--)
        {
            var match = optimal[k][l].Match;
            sequence.Add(match);
            k = match.Start - 1;
        }

        sequence.Reverse();
        return (best, sequence);

        void Update(PasswordMatch match, int length)
        {
            var k = match.End;
            var productLog10 = Math.Log10(MatchGuesses.Estimate(match, n, referenceYear));
            if (length > 1)
            {
                productLog10 += optimal[match.Start - 1][length - 1].ProductLog10;
            }

            var guessesLog10 = LogFactorial(length) + productLog10;
            if (!excludeAdditive)
            {
                guessesLog10 = LogSum(guessesLog10, MinGuessesBeforeGrowingSequenceLog10 * (length - 1));
            }

            // A sequence with no more pieces and no more guesses already ends here: this one cannot win.
            foreach (var (competingLength, competing) in optimal[k])
            {
                if (competingLength <= length && competing.GuessesLog10 <= guessesLog10)
                {
                    return;
                }
            }

            optimal[k][length] = new Entry(match, productLog10, guessesLog10);
        }

        void UpdateBruteforce(int k)
        {
            Update(Bruteforce(0, k), 1);
            for (var i = 1; i <= k; i++)
            {
                var match = Bruteforce(i, k);
                foreach (var (l, last) in optimal[i - 1].ToArray())
                {
                    // Two adjacent bruteforce pieces are one longer bruteforce piece, already counted.
                    if (last.Match.Pattern != PasswordPattern.Bruteforce)
                    {
                        Update(match, l + 1);
                    }
                }
            }
        }

        PasswordMatch Bruteforce(int i, int j) => new(PasswordPattern.Bruteforce, i, j, password.Substring(i, j - i + 1));
    }

    private static double LogFactorial(int n)
    {
        var sum = 0d;
        for (var i = 2; i <= n; i++)
        {
            sum += Math.Log10(i);
        }

        return sum;
    }

    private static double LogSum(double a, double b)
    {
        var high = Math.Max(a, b);
        return high + Math.Log10(Math.Pow(10, a - high) + Math.Pow(10, b - high));
    }

    private sealed record Entry(PasswordMatch Match, double ProductLog10, double GuessesLog10);
}

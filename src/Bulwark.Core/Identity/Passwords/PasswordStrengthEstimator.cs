namespace Bulwark.Core.Identity.Passwords;

/// <summary>
/// Estimates how many guesses an informed attacker needs, after zxcvbn (Wheeler, USENIX Security
/// 2016): find every guessable pattern (listed words, l33t, reversals, repeats, sequences, keyboard
/// walks, years, dates), then choose the cheapest decomposition by dynamic programming.
/// NIST SP 800-63B §3.1.1.2 asks verifiers to offer such guidance ("strength meter").
/// </summary>
internal sealed class PasswordStrengthEstimator(TimeProvider? timeProvider = null)
{
    /// <summary>
    /// Only this many leading code points go through the pattern matchers; the rest count as
    /// bruteforce (one decimal digit of guesses each). The matchers and the dynamic programme are
    /// quadratic to cubic in length, so an unbounded input would let an anonymous caller burn CPU
    /// (denial of service). 128 equals the longest password any profile accepts, so every password
    /// that can actually be set is analysed in full (about 10 ms at worst).
    /// </summary>
    public const int MaxAnalysedCodePoints = 128;

    // zxcvbn's score thresholds, with its small delta so a value right at a boundary rounds down.
    private static readonly double[] ScoreThresholds = [1e3 + 5, 1e6 + 5, 1e8 + 5, 1e10 + 5];

    private readonly TimeProvider time = timeProvider ?? TimeProvider.System;

    public PasswordStrength Estimate(string password, IReadOnlyCollection<string> userInputs)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(userInputs);

        var normalized = PasswordText.Normalize(password);
        var cut = CutIndex(normalized, MaxAnalysedCodePoints);
        var analysed = normalized[..cut];
        var remainingCodePoints = PasswordText.CountCodePoints(normalized[cut..]);

        var referenceYear = time.GetUtcNow().Year;
        var inputs = RankUserInputs(userInputs);
        var (guessesLog10, sequence) = Analyse(analysed, inputs, referenceYear, excludeAdditive: false);

        // Characters beyond the analysed prefix: bruteforce, one decimal digit of guesses each.
        guessesLog10 += remainingCodePoints * Math.Log10(MatchGuesses.BruteforceCardinality);
        var guesses = Math.Min(Math.Pow(10, guessesLog10), double.MaxValue);
        var score = ScoreThresholds.Count(threshold => guesses >= threshold);
        var (warning, suggestions) = StrengthFeedback.For(score, sequence);
        return new PasswordStrength(guesses, guessesLog10, score, warning, suggestions);
    }

    private static (double GuessesLog10, IReadOnlyList<PasswordMatch> Sequence) Analyse(
        string password, Dictionary<string, int> inputs, int referenceYear, bool excludeAdditive)
    {
        var matches = new List<PasswordMatch>();
        DictionaryMatcher.AddMatches(password, inputs, matches);
        SequenceMatcher.AddMatches(password, matches);
        SpatialMatcher.AddMatches(password, matches);
        DateMatcher.AddMatches(password, referenceYear, matches);
        // zxcvbn scores the repeated unit on its own and multiplies by the number of repeats.
        RepeatMatcher.AddMatches(
            password,
            unit => Math.Pow(10, Analyse(unit, inputs, referenceYear, excludeAdditive: true).GuessesLog10),
            matches);
        return MatchSequence.MostGuessable(password, matches, referenceYear, excludeAdditive);
    }

    private static Dictionary<string, int> RankUserInputs(IReadOnlyCollection<string> userInputs)
    {
        var ranks = new Dictionary<string, int>(StringComparer.Ordinal);
        var rank = 0;
        foreach (var input in userInputs)
        {
            if (string.IsNullOrWhiteSpace(input) || input.Length > MaxAnalysedCodePoints * 2)
            {
                continue;
            }

            ranks.TryAdd(PasswordText.Normalize(input).ToLowerInvariant(), ++rank);
        }

        return ranks;
    }

    private static int CutIndex(string text, int codePoints)
    {
        var index = 0;
        for (var count = 0; count < codePoints && index < text.Length; count++)
        {
            index += char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]) ? 2 : 1;
        }

        return index;
    }
}

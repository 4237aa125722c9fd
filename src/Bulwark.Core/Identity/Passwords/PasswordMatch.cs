namespace Bulwark.Core.Identity.Passwords;

/// <summary>
/// One guessable piece of a password: the token at [<see cref="Start"/>, <see cref="End"/>]
/// (inclusive, UTF-16 indices) and what the estimator knows about it.
/// </summary>
internal sealed record PasswordMatch(PasswordPattern Pattern, int Start, int End, string Token)
{
    /// <summary>Dictionary: the lower-case word matched (after undoing l33t and reversal).</summary>
    public string MatchedWord { get; init; } = string.Empty;

    /// <summary>Dictionary: 1-based rank in its list (1 = most common).</summary>
    public int Rank { get; init; }

    /// <summary>Dictionary: true when the word came from the caller's own inputs (login, name).</summary>
    public bool FromUserInputs { get; init; }

    public bool Reversed { get; init; }

    /// <summary>Dictionary: substitutions used, l33t character to the letter it stands for.</summary>
    public IReadOnlyDictionary<char, char>? L33tSubstitutions { get; init; }

    /// <summary>Repeat: the repeated unit and its precomputed guesses.</summary>
    public string BaseToken { get; init; } = string.Empty;

    public double BaseGuesses { get; init; }

    public int RepeatCount { get; init; }

    /// <summary>Sequence: true when the characters ascend.</summary>
    public bool Ascending { get; init; }

    /// <summary>Spatial: number of direction changes and of shifted characters.</summary>
    public int Turns { get; init; }

    public int ShiftedCount { get; init; }

    /// <summary>Year / date: the (four digit) year and whether the date had separators.</summary>
    public int Year { get; init; }

    public bool HasSeparator { get; init; }

    public int Length => End - Start + 1;
}

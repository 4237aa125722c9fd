using Bulwark.Core.Identity.Passwords;

namespace Bulwark.Core.Tests.Identity.Passwords;

public sealed class MatchSequenceTests
{
    private static PasswordMatch Word(string password, int start, int end, int rank) =>
        new(PasswordPattern.Dictionary, start, end, password.Substring(start, end - start + 1))
        {
            MatchedWord = password.Substring(start, end - start + 1),
            Rank = rank,
        };

    [Fact]
    public void MostGuessable_OneCommonWholeWordAgainstTwoRareHalves_PicksTheWholeWord()
    {
        const string password = "horsebattery";
        var whole = Word(password, 0, 11, 3);
        var left = Word(password, 0, 4, 900);
        var right = Word(password, 5, 11, 5000);

        var (log10, sequence) = MatchSequence.MostGuessable(password, [left, right, whole], 2025, excludeAdditive: false);

        Assert.Equal([whole], sequence);
        // 1! * 3 + 10000^0.
        Assert.Equal(Math.Log10(4), log10, 6);
    }

    [Fact]
    public void MostGuessable_TwoCommonHalvesAgainstRareWhole_PicksTheHalves()
    {
        const string password = "horsebattery";
        var whole = Word(password, 0, 11, 40_000_000);
        var left = Word(password, 0, 4, 100);
        var right = Word(password, 5, 11, 200);

        var (log10, sequence) = MatchSequence.MostGuessable(password, [whole, right, left], 2025, excludeAdditive: false);

        Assert.Equal([left, right], sequence);
        // 2! * 100 * 200 + 10000^1: the additive term keeps many short pieces from looking free.
        Assert.Equal(Math.Log10(50_000), log10, 6);
    }

    [Fact]
    public void MostGuessable_GapBetweenMatches_IsFilledWithBruteforce()
    {
        const string password = "lanterncopper9violetanchor";
        var cat = Word(password, 0, 12, 10);
        var dog = Word(password, 14, 25, 10);

        var (_, sequence) = MatchSequence.MostGuessable(password, [cat, dog], 2025, excludeAdditive: false);

        Assert.Equal(3, sequence.Count);
        Assert.Equal(PasswordPattern.Bruteforce, sequence[1].Pattern);
        Assert.Equal("9", sequence[1].Token);
    }

    [Fact]
    public void MostGuessable_NoMatches_IsOneBruteforcePiece()
    {
        var (log10, sequence) = MatchSequence.MostGuessable("x7#q", [], 2025, excludeAdditive: false);

        Assert.Single(sequence);
        Assert.Equal(Math.Log10(10_001), log10, 6);
    }
}

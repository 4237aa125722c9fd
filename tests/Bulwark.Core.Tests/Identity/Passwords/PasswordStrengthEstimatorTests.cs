using System.Security.Cryptography;
using Bulwark.Core.Identity.Passwords;

namespace Bulwark.Core.Tests.Identity.Passwords;

public sealed class PasswordStrengthEstimatorTests
{
    private static PasswordStrength Estimate(string password, params string[] inputs) =>
        PasswordTestKit.Estimator.Estimate(password, inputs);

    [Theory]
    [InlineData("password")]
    [InlineData("123456")]
    [InlineData("qwerty")]
    public void Estimate_TopListedPassword_ScoresZeroWithTopWarning(string password)
    {
        var strength = Estimate(password);

        Assert.Equal(0, strength.Score);
        Assert.Equal("This is a top-10 common password.", strength.Warning);
        Assert.Contains(StrengthFeedback.AddWord, strength.Suggestions);
    }

    [Fact]
    public void Estimate_L33tSpelling_StillScoresZeroWithSubstitutionHint()
    {
        var strength = Estimate("P@ssw0rd");

        Assert.Equal(0, strength.Score);
        Assert.True(strength.Guesses < 1000, $"guesses {strength.Guesses}");
        Assert.Contains("Predictable substitutions like '@' instead of 'a' don't help very much.", strength.Suggestions);
        Assert.Contains("Capitalization doesn't help very much.", strength.Suggestions);
    }

    [Fact]
    public void Estimate_ReversedWord_IsRecognised()
    {
        var strength = Estimate("drowssap");

        Assert.Equal(0, strength.Score);
        Assert.Contains("Reversed words aren't much harder to guess.", strength.Suggestions);
    }

    [Fact]
    public void Estimate_Passphrase_ScoresAtLeastThree()
    {
        Assert.True(Estimate("correcthorsebatterystaple").Score >= 3);
    }

    [Fact]
    public void Estimate_RandomTwentyCharacters_ScoresFour()
    {
        var random = RandomNumberGenerator.GetString("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 20);

        Assert.Equal(4, Estimate(random).Score);
    }

    [Fact]
    public void Estimate_KeyboardRow_IsLowWithListOrKeyboardWarning()
    {
        // "qwertyuiop" is rank 23 of the list, so the list explains it first (as in zxcvbn).
        var listed = Estimate("qwertyuiop");
        Assert.True(listed.Score <= 1);
        Assert.Equal("This is a top-100 common password.", listed.Warning);

        // An unlisted walk along the keyboard is recognised as a keyboard pattern.
        var walk = Estimate("zxcvbnm,./");
        Assert.True(walk.Score <= 1, $"score {walk.Score}");
        Assert.Contains("keyboard", walk.Warning + string.Join(' ', walk.Suggestions), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Estimate_StraightRowNotOnTheList_SaysStraightRows()
    {
        var strength = Estimate("dfghjkl;");

        Assert.True(strength.Score <= 1, $"score {strength.Score}");
        Assert.Equal("Straight rows of keys are easy to guess.", strength.Warning);
    }

    [Fact]
    public void Estimate_RepeatedCharacter_ScoresZeroWithRepeatWarning()
    {
        var strength = Estimate("aaaaaaaaaaaaaaaa");

        Assert.Equal(0, strength.Score);
        Assert.Equal("Repeats like \"aaa\" are easy to guess.", strength.Warning);
        Assert.Contains("Avoid repeated words and characters.", strength.Suggestions);
    }

    [Fact]
    public void Estimate_RepeatedUnit_IsCheaperThanBruteforce()
    {
        var strength = Estimate("xkqzxkqzxkqzxkqz");

        Assert.True(strength.GuessesLog10 < 8, $"log10 {strength.GuessesLog10}");
        Assert.StartsWith("Repeats like \"abcabcabc\"", strength.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Estimate_Sequence_ScoresLowWithSequenceWarning()
    {
        var strength = Estimate("mnopqrstuv");

        Assert.True(strength.Score <= 1);
        Assert.Equal("Sequences like abc or 6543 are easy to guess.", strength.Warning);
        Assert.Contains("Avoid sequences.", strength.Suggestions);
    }

    [Fact]
    public void Estimate_RepeatedYear_ScoresZero()
    {
        Assert.Equal(0, Estimate("19851985").Score);
    }

    [Fact]
    public void Estimate_RecentYearAlone_WarnsAboutYears()
    {
        var strength = Estimate("2019");

        Assert.Equal(0, strength.Score);
        Assert.Equal("Recent years are easy to guess.", strength.Warning);
        Assert.Contains("Avoid years that are associated with you.", strength.Suggestions);
    }

    [Theory]
    [InlineData("13/05/1985")]
    [InlineData("1985-05-13")]
    [InlineData("13.5.85")]
    public void Estimate_Date_IsRecognisedAsDate(string password)
    {
        var strength = Estimate(password);

        Assert.True(strength.Score <= 1, $"score {strength.Score}");
        Assert.Equal("Dates are often easy to guess.", strength.Warning);
    }

    [Fact]
    public void Estimate_LoginNameAsPassword_IsCheapAndNamed()
    {
        var strength = Estimate("zorbatheswift", "zorbatheswift");

        Assert.Equal(0, strength.Score);
        Assert.Equal("Avoid your login name, your name and the name of this service.", strength.Warning);
        // Without the user input the same text is not cheap.
        Assert.True(Estimate("zorbatheswift").Score > 0);
    }

    [Fact]
    public void Estimate_AddingWords_IsMonotonic()
    {
        var one = Estimate("lantern").GuessesLog10;
        var two = Estimate("lanterncopper").GuessesLog10;
        var four = Estimate("lanterncopperviolet anchor").GuessesLog10;

        Assert.True(one < two && two < four, $"{one} {two} {four}");
    }

    [Fact]
    public void Estimate_TenThousandCharacters_CompletesAndScoresFour()
    {
        var longInput = string.Concat(Enumerable.Repeat("aB3$", 2500));

        var strength = Estimate(longInput);

        // Past the analysed prefix every character adds bruteforce guesses; the total stays finite.
        Assert.Equal(4, strength.Score);
        Assert.True(double.IsFinite(strength.Guesses) && double.IsFinite(strength.GuessesLog10));
        Assert.True(strength.GuessesLog10 > 9_000);
    }

    [Fact]
    public void Estimate_EmptyPassword_ScoresZero()
    {
        var strength = Estimate(string.Empty);

        Assert.Equal(0, strength.Score);
        Assert.Equal(1, strength.Guesses);
    }
}

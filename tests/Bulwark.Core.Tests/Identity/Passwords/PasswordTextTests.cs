using Bulwark.Core.Identity.Passwords;

namespace Bulwark.Core.Tests.Identity.Passwords;

public sealed class PasswordTextTests
{
    [Fact]
    public void Normalize_FullWidthLetters_BecomeAscii()
    {
        Assert.True(PasswordText.IsNormalizationAvailable);
        Assert.Equal("password", PasswordText.Normalize("ｐａｓｓｗｏｒｄ"));
    }

    [Fact]
    public void Normalize_CombiningAccent_EqualsPrecomposed()
    {
        Assert.Equal("caf\u00E9", PasswordText.Normalize("cafe\u0301"));
    }

    [Fact]
    public void Normalize_Ligature_IsExpanded()
    {
        // U+FB01 LATIN SMALL LIGATURE FI is a compatibility character: NFKC, not NFC, unfolds it.
        Assert.Equal("fish", PasswordText.Normalize("\uFB01sh"));
    }

    [Fact]
    public void CountCodePoints_Emoji_CountsOnce()
    {
        Assert.Equal(3, PasswordText.CountCodePoints("a\U0001F600b"));
    }

    [Theory]
    [InlineData("pass\u0000word")]
    [InlineData("pass\u0007word")]
    [InlineData("pass\u200Bword")]
    [InlineData("pass\u202Eword")]
    [InlineData("pass\nword")]
    public void ContainsForbiddenCharacters_InvisibleOrBroken_IsTrue(string text)
    {
        Assert.True(PasswordText.ContainsForbiddenCharacters(text));
    }

    [Fact]
    public void ContainsForbiddenCharacters_UnpairedSurrogate_IsTrue()
    {
        // Built at run time: test-case serialisation would replace a lone surrogate with U+FFFD.
        Assert.True(PasswordText.ContainsForbiddenCharacters("pass" + (char)0xD800 + "word"));
        Assert.True(PasswordText.ContainsForbiddenCharacters("pass" + (char)0xDC00));
    }

    [Theory]
    [InlineData("correct horse battery staple")]
    [InlineData("ünïcödé pässwörd")]
    [InlineData("пароль дракон")]
    [InlineData("\U0001F600\U0001F680 rocket smile")]
    [InlineData("\U0001F468\u200D\U0001F469\u200D\U0001F467 family")]
    public void ContainsForbiddenCharacters_PrintableUnicode_IsFalse(string text)
    {
        Assert.False(PasswordText.ContainsForbiddenCharacters(text));
    }
}

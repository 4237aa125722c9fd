using Bulwark.Core.Identity.Passwords;

namespace Bulwark.Core.Tests.Identity.Passwords;

public sealed class PasswordPolicyTests
{
    private static readonly PasswordProfile Nist = PasswordProfile.Nist;
    private static readonly PasswordProfile Pci = PasswordProfile.PciDss4;

    private static PasswordVerdict Check(string password, PasswordProfile profile, PasswordContext? context = null) =>
        PasswordTestKit.Policy.Check(password, profile, context ?? PasswordTestKit.Context());

    private static void AssertRejected(string code, PasswordVerdict verdict)
    {
        Assert.False(verdict.Accepted);
        Assert.Equal(code, verdict.Code);
        Assert.False(string.IsNullOrWhiteSpace(verdict.Message));
        Assert.NotNull(verdict.Strength);
    }

    [Fact]
    public void Check_GoodPassphrase_AcceptedByBothProfiles()
    {
        var nist = Check(PasswordTestKit.GoodPassphrase, Nist);
        var pci = Check(PasswordTestKit.GoodPciPassphrase, Pci);

        Assert.True(nist.Accepted, nist.Message);
        Assert.True(pci.Accepted, pci.Message);
        Assert.Null(nist.Code);
        Assert.True(nist.Strength.Score >= 3);
    }

    [Fact]
    public void Check_FourteenCharactersPasswordOnly_TooShortUnderNist()
    {
        var verdict = Check("vq7#Lm2@xR9!kT", Nist);

        AssertRejected(PasswordCodes.TooShort, verdict);
        Assert.Contains("at least 15 characters", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_EightStrongCharactersWithMfa_AcceptedUnderNist()
    {
        var context = PasswordTestKit.Context(hasMfa: true);

        Assert.True(Check("vq7#Lm2@xR9!", Nist, context).Accepted);
        AssertRejected(PasswordCodes.TooShort, Check("vq7#Lm2", Nist, context));
    }

    [Fact]
    public void Check_LengthLimits_64And128AcceptedAnd129Rejected()
    {
        var words = "violet anchor drifting copper lantern meadow quartz pilgrim ember harbor willow saffron ";
        var long128 = string.Concat(Enumerable.Repeat(words, 2))[..128];

        Assert.True(Check(long128[..64], Nist).Accepted);
        Assert.True(Check(long128, Nist).Accepted);
        AssertRejected(PasswordCodes.TooLong, Check(long128 + "x", Nist));
        AssertRejected(PasswordCodes.TooLong, Check(new string('x', 100_000), Nist));
    }

    [Fact]
    public void Check_LengthCountsCodePoints_NotUtf16Units()
    {
        // 15 emoji are 30 UTF-16 units but 15 characters: long enough, and not too long at 128.
        var emoji = string.Concat(Enumerable.Range(0, 15).Select(i => char.ConvertFromUtf32(0x1F600 + (i * 7))));
        Assert.NotEqual(PasswordCodes.TooShort, Check(emoji, Nist).Code);
        Assert.Equal(PasswordCodes.TooShort, Check(emoji[..28], Nist).Code);
    }

    [Fact]
    public void Check_PrintableUnicodeAndEmoji_Accepted()
    {
        Assert.True(Check("\U0001F680 fusée über den Wolken \U0001F30C", Nist).Accepted);
    }

    [Theory]
    [InlineData("violet anchor\u0000drifting copper")]
    [InlineData("violet anchor\tdrifting copper")]
    [InlineData("violet anchor\u200Bdrifting copper")]
    public void Check_ControlOrFormatCharacters_Rejected(string password)
    {
        AssertRejected(PasswordCodes.InvalidCharacters, Check(password, Nist));
    }

    [Fact]
    public void Check_FullWidthCommonPassword_NormalisedAndBlocklisted()
    {
        AssertRejected(PasswordCodes.Blocklisted, Check("ｐａｓｓｗｏｒｄｐａｓｓｗｏｒｄ", Nist));
    }

    [Theory]
    [InlineData("passwordpassword")]
    [InlineData("QAZWSXEDCRFVTGB")]
    [InlineData("password1234567!")]
    [InlineData("1qaz2wsx3edc4rfv")]
    [InlineData("ILoveYou2024!!!!")]
    public void Check_ListedPasswords_Blocklisted(string password)
    {
        var listed = PasswordBlocklist.Contains(password) || PasswordPolicy.IsBlocklisted(password);
        Assert.True(listed, password);
        AssertRejected(PasswordCodes.Blocklisted, Check(password, Nist));
    }

    [Fact]
    public void IsBlocklisted_TrailingDigitsAndPunctuation_Stripped()
    {
        Assert.True(PasswordPolicy.IsBlocklisted("password123!"));
        Assert.True(PasswordPolicy.IsBlocklisted("Dragon2024?!"));
        Assert.False(PasswordPolicy.IsBlocklisted("123456!?"[..0] + "violet anchor drifting"));
    }

    [Fact]
    public void Check_LoginNameInside_RejectedAsContext()
    {
        AssertRejected(PasswordCodes.Context, Check("my ALICE.SMITH is the best one", Nist));
        AssertRejected(PasswordCodes.Context, Check("smith-family-vacation-rome", Nist));
        AssertRejected(PasswordCodes.Context, Check("my Bulwark lantern copper", Nist));
        var email = new PasswordContext("zorbatheswift@example.com", null, false, []);
        AssertRejected(PasswordCodes.Context, Check("violet zorbatheswift lantern", Nist, email));
    }

    [Theory]
    [InlineData("xkqzxkqzxkqzxkqz", PasswordCodes.Repetitive)]
    [InlineData("zzzzzzzzzzzzzzzzzz", PasswordCodes.Repetitive)]
    [InlineData("1234567890123456", PasswordCodes.Sequential)]
    [InlineData("hijklmnopqrstuvwxyz", PasswordCodes.Sequential)]
    [InlineData("9876543210987654", PasswordCodes.Sequential)]
    public void Check_RepetitiveOrSequential_Rejected(string password, string code)
    {
        AssertRejected(code, Check(password, Nist));
    }

    [Fact]
    public void Check_L33tCommonPassword_WeakWithLowScore()
    {
        var verdict = Check("P@ssw0rdP@ssw0rd1", Nist);

        AssertRejected(PasswordCodes.Weak, verdict);
        Assert.True(verdict.Strength.Score <= 1, $"score {verdict.Strength.Score}");
    }

    [Fact]
    public void Check_LongButGuessable_Weak()
    {
        var verdict = Check("dragon dragon monkey", Nist);

        AssertRejected(PasswordCodes.Weak, verdict);
        Assert.NotNull(verdict.Strength.Warning);
    }

    [Fact]
    public void Check_MaximumLengthNearlyAllOneCharacter_StillWeak()
    {
        // Attacks the estimator's analysis cap: the tail of a long password must not count as random.
        var verdict = Check(new string('a', 127) + "b", Nist);

        AssertRejected(PasswordCodes.Weak, verdict);
        Assert.True(verdict.Strength.Score <= 1, $"score {verdict.Strength.Score}");
    }

    [Fact]
    public void Check_Pci_RequiresLettersAndDigits()
    {
        AssertRejected(PasswordCodes.Composition, Check("violet anchor drifting", Pci));
        AssertRejected(PasswordCodes.Composition, Check("4815162342 9876 0000", Pci));
        // NIST forbids composition rules: the same passphrase is fine there.
        Assert.True(Check("violet anchor drifting copper", Nist).Accepted);
    }

    [Fact]
    public void Check_Pci_LastFourPasswordsRejectedFifthAllowed()
    {
        string[] passwords = ["amber 1 kettle orbit sage", "amber 2 kettle orbit sage", "amber 3 kettle orbit sage", "amber 4 kettle orbit sage", "amber 5 kettle orbit sage"];
        var hashes = passwords.Select(PasswordTestKit.Hasher.Hash).ToArray();
        var context = PasswordTestKit.Context(false, hashes);

        for (var i = 0; i < 4; i++)
        {
            AssertRejected(PasswordCodes.Reused, Check(passwords[i], Pci, context));
        }

        Assert.True(Check(passwords[4], Pci, context).Accepted);
        // NIST keeps no history.
        Assert.True(Check(passwords[0], Nist, context).Accepted);
    }

    [Fact]
    public void Check_ReusedWithDifferentUnicodeSpelling_StillRejected()
    {
        var context = PasswordTestKit.Context(false, PasswordTestKit.Hasher.Hash("caf\u00E9 1 kettle orbit sage"));

        AssertRejected(PasswordCodes.Reused, Check("cafe\u0301 1 kettle orbit sage", Pci, context));
    }

    [Fact]
    public void Profiles_HaveTheNumbersTheStandardsRequire()
    {
        Assert.Equal((15, 8, 128, false, 0, 100, TimeSpan.FromMinutes(15), 3), (Nist.MinLengthPasswordOnly, Nist.MinLengthWithMfa, Nist.MaxLength, Nist.RequireLettersAndDigits, Nist.HistoryDepth, Nist.LockoutThreshold, Nist.LockoutDuration, Nist.MinimumScore));
        Assert.Equal((12, 12, 128, true, 4, 10, TimeSpan.FromMinutes(30), 3), (Pci.MinLengthPasswordOnly, Pci.MinLengthWithMfa, Pci.MaxLength, Pci.RequireLettersAndDigits, Pci.HistoryDepth, Pci.LockoutThreshold, Pci.LockoutDuration, Pci.MinimumScore));
        Assert.True(Nist.MaxLength >= 64);
        Assert.True(PasswordProfile.TryGet("pci-dss-4", out var pci) && ReferenceEquals(pci, Pci));
        Assert.True(PasswordProfile.TryGet("nist-800-63b", out var nist) && ReferenceEquals(nist, Nist));
        Assert.False(PasswordProfile.TryGet("NIST", out _));
    }
}

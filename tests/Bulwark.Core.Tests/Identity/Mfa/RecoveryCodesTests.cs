using System.Text.RegularExpressions;
using Bulwark.Core.Identity.Mfa;

namespace Bulwark.Core.Tests.Identity.Mfa;

public sealed class RecoveryCodesTests
{
    private static readonly byte[] Pepper = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void Generate_Default_TenCodesInUnambiguousFormat()
    {
        var codes = new RecoveryCodes(Pepper).Generate();

        Assert.Equal(10, codes.Count);
        Assert.All(codes, code =>
        {
            Assert.Matches(new Regex("^[2-9A-HJKMNP-Z]{6}-[2-9A-HJKMNP-Z]{6}$"), code);
            Assert.DoesNotContain(code, c => c is '0' or 'O' or '1' or 'I' or 'L');
        });
    }

    [Fact]
    public void Generate_EachCodeCarriesAtLeast50Bits()
    {
        Assert.Equal(31, RecoveryCodes.Alphabet.Distinct().Count());
        Assert.True(RecoveryCodes.BitsPerCode >= 50, $"{RecoveryCodes.BitsPerCode} bits");
        Assert.Equal(12, new RecoveryCodes(Pepper).Generate(1)[0].Replace("-", "", StringComparison.Ordinal).Length);
    }

    [Fact]
    public void Generate_ManyBatches_NoDuplicatesAndEverySymbolUsed()
    {
        var recovery = new RecoveryCodes(Pepper);
        var all = Enumerable.Range(0, 100).SelectMany(_ => recovery.Generate(10)).ToList();

        Assert.Equal(all.Count, all.Distinct(StringComparer.Ordinal).Count());
        // 12,000 symbols: a generator stuck on part of the alphabet (bias, bad modulo) would miss some.
        var used = all.SelectMany(c => c).Where(c => c != '-').ToHashSet();
        Assert.Equal(RecoveryCodes.Alphabet.ToHashSet(), used);
    }

    [Fact]
    public void Hash_SameCode_IsStableAcrossInstancesAndNormalised()
    {
        var hash = new RecoveryCodes(Pepper).Hash("ABCDEF-GHJKMN");

        Assert.Equal(hash, new RecoveryCodes(Pepper).Hash("ABCDEF-GHJKMN"));
        Assert.Equal(hash, new RecoveryCodes(Pepper).Hash("abcdef ghjkmn"));
        Assert.Equal(hash, new RecoveryCodes(Pepper).Hash("ABCDEFGHJKMN"));
        Assert.Equal(32, Convert.FromBase64String(hash).Length);
    }

    [Fact]
    public void Hash_DifferentCodesOrPeppers_Differ()
    {
        var recovery = new RecoveryCodes(Pepper);
        var otherPepper = new RecoveryCodes(Enumerable.Repeat((byte)7, 32).ToArray());

        Assert.NotEqual(recovery.Hash("ABCDEF-GHJKMN"), recovery.Hash("ABCDEF-GHJKMP"));
        Assert.NotEqual(recovery.Hash("ABCDEF-GHJKMN"), otherPepper.Hash("ABCDEF-GHJKMN"));
    }

    [Fact]
    public void Matches_GeneratedCode_TrueAndNeighboursFalse()
    {
        var recovery = new RecoveryCodes(Pepper);
        var code = recovery.Generate(1)[0];
        var stored = recovery.Hash(code);
        var wrong = code[..^1] + (code[^1] == 'Z' ? 'Y' : 'Z');

        Assert.True(recovery.Matches(stored, code));
        Assert.True(recovery.Matches(stored, code.ToLowerInvariant()));
        Assert.False(recovery.Matches(stored, wrong));
        Assert.False(recovery.Matches(stored, ""));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void Matches_CorruptStoredHash_False(string stored)
    {
        Assert.False(new RecoveryCodes(Pepper).Matches(stored, "ABCDEF-GHJKMN"));
    }

    [Fact]
    public void Constructor_ShortPepper_Throws()
    {
        Assert.ThrowsAny<ArgumentException>(() => new RecoveryCodes(new byte[8]));
    }
}

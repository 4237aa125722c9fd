using Bulwark.Core.Identity.Passwords;

namespace Bulwark.Core.Tests.Identity.Passwords;

public sealed class PasswordHasherTests
{
    private static readonly PasswordHasher Hasher = PasswordTestKit.Hasher;

    [Fact]
    public void Hash_ThenVerify_Succeeds()
    {
        var phc = Hasher.Hash(PasswordTestKit.GoodPassphrase);

        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", phc, StringComparison.Ordinal);
        Assert.Equal(PasswordVerification.Succeeded, Hasher.Verify(phc, PasswordTestKit.GoodPassphrase));
        Assert.Equal(PasswordVerification.Failed, Hasher.Verify(phc, PasswordTestKit.GoodPassphrase + "!"));
        Assert.Equal(PasswordVerification.Failed, Hasher.Verify(phc, PasswordTestKit.GoodPassphrase.ToUpperInvariant()));
    }

    [Fact]
    public void Hash_SamePasswordTwice_UsesDifferentSalts()
    {
        var first = Hasher.Hash("same password");
        var second = Hasher.Hash("same password");

        Assert.NotEqual(first, second);
        Assert.NotEqual(first.Split('$')[4], second.Split('$')[4]);
    }

    [Fact]
    public void Verify_CombiningAccentAgainstPrecomposed_IsTheSamePassword()
    {
        var phc = Hasher.Hash("cafe\u0301 au lait au soleil");

        Assert.Equal(PasswordVerification.Succeeded, Hasher.Verify(phc, "caf\u00E9 au lait au soleil"));
    }

    [Fact]
    public void Verify_FullWidthAgainstAscii_IsTheSamePassword()
    {
        var phc = Hasher.Hash("ｈｏｒｓｅ battery");

        Assert.Equal(PasswordVerification.Succeeded, Hasher.Verify(phc, "horse battery"));
    }

    [Fact]
    public void Verify_OneTamperedByteInHashOrSalt_Fails()
    {
        var phc = Hasher.Hash("tamper target phrase");
        var parts = phc.Split('$');
        foreach (var index in new[] { 4, 5 })
        {
            var bytes = Convert.FromBase64String(Pad(parts[index]));
            bytes[^1] ^= 0x01;
            var tampered = (string[])parts.Clone();
            tampered[index] = Convert.ToBase64String(bytes).TrimEnd('=');

            Assert.Equal(PasswordVerification.Failed, Hasher.Verify(string.Join('$', tampered), "tamper target phrase"));
        }
    }

    [Fact]
    public void Verify_MalformedStrings_FailWithoutThrowing()
    {
        var phc = Hasher.Hash("malformed test phrase");
        string[] malformed =
        [
            string.Empty,
            "garbage",
            phc[..^5],
            phc.Replace("$argon2id$", "$argon2i$", StringComparison.Ordinal),
            phc.Replace("$argon2id$", "$argon2d$", StringComparison.Ordinal),
            phc.Replace("$v=19$", "$v=16$", StringComparison.Ordinal),
            phc.Replace("p=1", "p=4", StringComparison.Ordinal),
            phc.Replace("m=19456", "m=019456", StringComparison.Ordinal),
            phc.Replace("m=19456", "m=-1", StringComparison.Ordinal),
            phc.Replace("m=19456", "m=99999999999", StringComparison.Ordinal),
            phc + "=",
            phc + "$extra",
            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
            "$pbkdf2-sha256$29000$N2ZMSWtQaVFLak5K$c2VjcmV0",
            "$argon2id$v=19$m=19456,t=2,p=1$$",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
            "$argon2id$v=19$m=19456,t=2,p=1$!!!!!!!!!!!!!!!!!!!!!!$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA",
        ];

        foreach (var candidate in malformed)
        {
            Assert.Equal(PasswordVerification.Failed, Hasher.Verify(candidate, "malformed test phrase"));
        }
    }

    [Theory]
    [InlineData("m=2097152,t=2,p=1")]
    [InlineData("m=19456,t=21,p=1")]
    [InlineData("m=19456,t=0,p=1")]
    [InlineData("m=4,t=2,p=1")]
    public void Verify_AbsurdStoredParameters_AreRefused(string parameters)
    {
        var phc = Hasher.Hash("absurd parameters phrase");
        var tampered = phc.Replace("m=19456,t=2,p=1", parameters, StringComparison.Ordinal);

        Assert.Equal(PasswordVerification.Failed, Hasher.Verify(tampered, "absurd parameters phrase"));
    }

    [Fact]
    public void Verify_OldWeakerParameters_AsksForRehash()
    {
        var old = new PasswordHasher(new PasswordHashingOptions { MemoryKiB = 47104, Iterations = 1 });
        var weak = WeakHash("legacy password phrase");
        var stronger = new PasswordHasher(new PasswordHashingOptions { MemoryKiB = 19456, Iterations = 3 });

        Assert.Equal(PasswordVerification.SucceededRehashNeeded, Hasher.Verify(weak, "legacy password phrase"));
        Assert.Equal(PasswordVerification.Failed, Hasher.Verify(weak, "legacy password phrasE"));
        // Same OWASP level, but below what this deployment is configured for: also rehash.
        Assert.Equal(PasswordVerification.SucceededRehashNeeded, stronger.Verify(Hasher.Hash("x y z"), "x y z"));
        Assert.Equal(PasswordVerification.SucceededRehashNeeded, Hasher.Verify(old.Hash("x y z"), "x y z"));
    }

    [Fact]
    public void Constructor_ParametersBelowOwaspOrUnsupported_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PasswordHasher(new PasswordHashingOptions { MemoryKiB = 4096, Iterations = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PasswordHasher(new PasswordHashingOptions { Parallelism = 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PasswordHasher(new PasswordHashingOptions { Iterations = 50 }));
    }

    [Fact]
    public void DummyHash_IsAValidHashThatNoPasswordMatches()
    {
        Assert.True(PhcArgon2Hash.TryParse(Hasher.DummyHash, out _));
        Assert.Equal(PasswordVerification.Failed, Hasher.Verify(Hasher.DummyHash, string.Empty));
        Assert.Equal(PasswordVerification.Failed, Hasher.Verify(Hasher.DummyHash, "password"));
        Hasher.VerifyDummy("anything at all");
        Hasher.VerifyDummy(new string('x', 100_000));
    }

    [Fact]
    public void Verify_OversizedPassword_FailsWithoutThrowing()
    {
        var phc = Hasher.Hash("short phrase here");

        Assert.Equal(PasswordVerification.Failed, Hasher.Verify(phc, new string('a', PasswordHasher.MaxInputLength + 1)));
    }

    // A hash as an older release (m = 4 MiB, t = 1) would have stored it, built with the same primitive.
    private static string WeakHash(string password)
    {
        var salt = new byte[PhcArgon2Hash.SaltBytes];
        salt[0] = 7;
        var algorithm = NSec.Cryptography.PasswordBasedKeyDerivationAlgorithm.Argon2id(
            new NSec.Cryptography.Argon2Parameters { DegreeOfParallelism = 1, MemorySize = 4096, NumberOfPasses = 1 });
        var hash = algorithm.DeriveBytes(System.Text.Encoding.UTF8.GetBytes(password), salt, 32);
        return new PhcArgon2Hash(4096, 1, 1, salt, hash).Format();
    }

    private static string Pad(string base64) => base64 + new string('=', (4 - (base64.Length % 4)) % 4);
}

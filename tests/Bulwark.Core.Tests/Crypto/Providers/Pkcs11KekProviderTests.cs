using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Crypto;
using Bulwark.Core.Crypto.Providers;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Bulwark.Core.Tests.Crypto.Providers;

/// <summary>
/// The PKCS#11 KEK provider against a real SoftHSM2 token: wrapping matches .NET's AES-GCM byte for byte, tampering
/// is caught, keys are non-extractable on the token, and misconfiguration stops with a clear message.
/// </summary>
[Collection(SoftHsmCollection.Name)]
public sealed class Pkcs11KekProviderTests(SoftHsmToken token)
{
    private static readonly byte[] Aad = "bulwark/wrap/v1\nk1\ndataset\nds_42"u8.ToArray();

    [Fact]
    public void WrapUnwrap_NewKey_RoundTrips()
    {
        using var provider = token.Open();
        var version = NewVersion();
        Assert.False(provider.HasKey(version));
        provider.CreateKey(version);
        Assert.True(provider.HasKey(version));

        var (nonce, dataKey, wrapped, tag) = WrapRandom(provider, version);
        Assert.NotEqual(dataKey, wrapped);
        var back = new byte[32];
        provider.Unwrap(version, nonce, wrapped, tag, back, Aad);
        Assert.Equal(dataKey, back);
    }

    [Theory]
    [InlineData("tag")]
    [InlineData("aad")]
    [InlineData("nonce")]
    [InlineData("ciphertext")]
    [InlineData("version")]
    public void Unwrap_TamperedInput_Throws(string tampered)
    {
        using var provider = token.Open();
        var version = NewVersion();
        var other = NewVersion();
        provider.CreateKey(version);
        provider.CreateKey(other);
        var (nonce, _, wrapped, tag) = WrapRandom(provider, version);
        var aad = Aad.ToArray();
        switch (tampered)
        {
            case "tag": tag[5] ^= 0x01; break;
            case "aad": aad[^1] ^= 0x01; break;
            case "nonce": nonce[0] ^= 0x80; break;
            case "ciphertext": wrapped[31] ^= 0x01; break;
        }

        var back = new byte[32];
        Assert.ThrowsAny<CryptographicException>(() => provider.Unwrap(tampered == "version" ? other : version, nonce, wrapped, tag, back, aad));
        Assert.All(back, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Wrap_KnownKeyImportedOnToken_ByteIdenticalToDotNetAesGcm()
    {
        using var provider = token.Open();
        var version = NewVersion();
        var kek = RandomNumberGenerator.GetBytes(32);
        provider.RunOnToken(s => s.CreateObject(SecretKeyTemplate(CKK.CKK_AES, version, kek, encrypt: true)));

        var nonce = RandomNumberGenerator.GetBytes(12);
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var wrapped = new byte[32];
        var tag = new byte[16];
        provider.Wrap(version, nonce, dataKey, wrapped, tag, Aad);

        using var aes = new AesGcm(kek, 16);
        var expectedWrapped = new byte[32];
        var expectedTag = new byte[16];
        aes.Encrypt(nonce, dataKey, expectedWrapped, expectedTag, Aad);
        Assert.Equal(expectedWrapped, wrapped);
        Assert.Equal(expectedTag, tag);

        // And the other way: what software wrapped, the token unwraps.
        var softNonce = RandomNumberGenerator.GetBytes(12);
        aes.Encrypt(softNonce, dataKey, expectedWrapped, expectedTag, Aad);
        var back = new byte[32];
        provider.Unwrap(version, softNonce, expectedWrapped, expectedTag, back, Aad);
        Assert.Equal(dataKey, back);
    }

    [Fact]
    public void DeriveKey_SameInputs_SameBytes_OtherInfoOrVersion_OtherBytes()
    {
        using var provider = token.Open();
        var version = NewVersion();
        var other = NewVersion();
        provider.CreateKey(version);
        provider.CreateKey(other);

        var a = provider.DeriveKey(version, "bulwark/audit-input"u8, 32);
        Assert.Equal(a, provider.DeriveKey(version, "bulwark/audit-input"u8, 32));
        Assert.NotEqual(a, provider.DeriveKey(version, "bulwark/api-key-pepper"u8, 32));
        Assert.NotEqual(a, provider.DeriveKey(other, "bulwark/audit-input"u8, 32));
        Assert.Equal(64, provider.DeriveKey(version, "bulwark/audit-input"u8, 64).Length);

        using var reopened = token.Open();
        Assert.Equal(a, reopened.DeriveKey(version, "bulwark/audit-input"u8, 32));
    }

    [Fact]
    public void DeriveKey_KnownKeyImportedOnToken_IsHmacOnTokenThenHkdfExpand()
    {
        using var provider = token.Open();
        var version = NewVersion();
        var secret = RandomNumberGenerator.GetBytes(32);
        provider.RunOnToken(s => s.CreateObject(SecretKeyTemplate(CKK.CKK_GENERIC_SECRET, version, secret, encrypt: false)));
        var info = "bulwark/tokenise/p_7"u8.ToArray();

        byte[] message = [.. Encoding.ASCII.GetBytes("bulwark/pkcs11-derive/v1\0"), .. info];
        var prk = HMACSHA256.HashData(secret, message);
        var expected = HKDF.Expand(HashAlgorithmName.SHA256, prk, 48, info);
        Assert.Equal(expected, provider.DeriveKey(version, info, 48));
    }

    [Fact]
    public void CreateKey_KeysOnToken_AreSensitiveNonExtractableAndUnreadable()
    {
        using var provider = token.Open();
        var version = NewVersion();
        provider.CreateKey(version);

        foreach (var type in new[] { CKK.CKK_AES, CKK.CKK_GENERIC_SECRET })
        {
            provider.RunOnToken(session =>
            {
                var key = Pkcs11KekProvider.Find(session, version, type)!;
                var attrs = session.GetAttributeValue(key, [CKA.CKA_TOKEN, CKA.CKA_SENSITIVE, CKA.CKA_EXTRACTABLE, CKA.CKA_ALWAYS_SENSITIVE, CKA.CKA_NEVER_EXTRACTABLE, CKA.CKA_VALUE_LEN]);
                Assert.True(attrs[0].GetValueAsBool());
                Assert.True(attrs[1].GetValueAsBool());
                Assert.False(attrs[2].GetValueAsBool());
                Assert.True(attrs[3].GetValueAsBool());
                Assert.True(attrs[4].GetValueAsBool());
                Assert.Equal(32ul, attrs[5].GetValueAsUlong());

                // Reading the key's value is refused by the token.
                var value = TryRead(session, key, CKA.CKA_VALUE);
                Assert.True(value is null || value.CannotBeRead, "CKA_VALUE of a KEK was readable");

                // Nor can it be made readable.
                var unlock = Assert.Throws<Pkcs11Exception>(() => session.SetAttributeValue(key, [Pkcs11Module.Factories.ObjectAttributeFactory.Create(CKA.CKA_EXTRACTABLE, true)]));
                Assert.NotEqual(CKR.CKR_OK, unlock.RV);
                return 0;
            });
        }
    }

    [Fact]
    public void CreateKey_ExportByWrappingWithAnotherKey_RefusedByToken()
    {
        using var provider = token.Open();
        var version = NewVersion();
        provider.CreateKey(version);
        var f = Pkcs11Module.Factories;

        var rv = provider.RunOnToken(session =>
        {
            // An attacker with the PIN creates a wrapping key and asks the token to export the KEK under it.
            using var gen = f.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN);
            var wrappingKey = session.GenerateKey(gen,
            [
                f.ObjectAttributeFactory.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
                f.ObjectAttributeFactory.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
                f.ObjectAttributeFactory.Create(CKA.CKA_VALUE_LEN, 32ul),
                f.ObjectAttributeFactory.Create(CKA.CKA_TOKEN, false),
                f.ObjectAttributeFactory.Create(CKA.CKA_WRAP, true),
            ]);
            using var wrap = f.MechanismFactory.Create(CKM.CKM_AES_KEY_WRAP);
            try
            {
                var exported = session.WrapKey(wrap, wrappingKey, Pkcs11KekProvider.Find(session, version, CKK.CKK_AES)!);
                return exported.Length > 0 ? CKR.CKR_OK : CKR.CKR_GENERAL_ERROR;
            }
            catch (Pkcs11Exception ex)
            {
                return ex.RV;
            }
            finally
            {
                session.DestroyObject(wrappingKey);
            }
        });

        Assert.Equal(CKR.CKR_KEY_UNEXTRACTABLE, rv);
    }

    [Fact]
    public void DestroyKey_ThenUnwrapOrDerive_Fails()
    {
        using var provider = token.Open();
        var version = NewVersion();
        provider.CreateKey(version);
        var (nonce, _, wrapped, tag) = WrapRandom(provider, version);

        provider.DestroyKey(version);

        Assert.False(provider.HasKey(version));
        var back = new byte[32];
        var ex = Assert.ThrowsAny<CryptographicException>(() => provider.Unwrap(version, nonce, wrapped, tag, back, Aad));
        Assert.Contains(version, ex.Message, StringComparison.Ordinal);
        Assert.ThrowsAny<CryptographicException>(() => provider.DeriveKey(version, "x"u8, 32));

        // Gone from the token itself, not just from this process's handle cache.
        using var reopened = token.Open();
        Assert.False(reopened.HasKey(version));
        Assert.Null(reopened.RunOnToken(s => Pkcs11KekProvider.Find(s, version, CKK.CKK_GENERIC_SECRET)));
    }

    [Fact]
    public void CreateKey_ExistingVersion_Refused()
    {
        using var provider = token.Open();
        var version = NewVersion();
        provider.CreateKey(version);
        Assert.Throws<InvalidOperationException>(() => provider.CreateKey(version));
    }

    [Fact]
    public void WrapUnwrap_ManyThreads_AllRoundTrip()
    {
        using var provider = Pkcs11KekProvider.Open(new Pkcs11Options { LibraryPath = token.LibraryPath, TokenLabel = SoftHsmToken.Label, PinFile = token.PinFile, MaxSessions = 3 });
        var versions = new[] { NewVersion(), NewVersion() };
        foreach (var v in versions)
        {
            provider.CreateKey(v);
        }

        var failures = 0;
        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i =>
        {
            var version = versions[i % 2];
            var (nonce, dataKey, wrapped, tag) = WrapRandom(provider, version);
            var back = new byte[32];
            provider.Unwrap(version, nonce, wrapped, tag, back, Aad);
            var derived = provider.DeriveKey(version, "bulwark/concurrency"u8, 32);
            if (!back.SequenceEqual(dataKey) || derived.Length != 32)
            {
                Interlocked.Increment(ref failures);
            }
        });

        Assert.Equal(0, failures);
    }

    [Fact]
    public void Operations_AfterAllSessionsClosedUnderneath_Reconnect()
    {
        using var provider = token.Open();
        var version = NewVersion();
        provider.CreateKey(version);
        var (nonce, dataKey, wrapped, tag) = WrapRandom(provider, version);

        // What a token reset or another client's C_CloseAllSessions does: pooled sessions and the login are gone.
        provider.Slot.CloseAllSessions();

        var back = new byte[32];
        provider.Unwrap(version, nonce, wrapped, tag, back, Aad);
        Assert.Equal(dataKey, back);
    }

    [Fact]
    public void Open_WrongPin_ClearConfigurationError()
    {
        var pinFile = Path.Combine(Path.GetDirectoryName(token.PinFile)!, "wrong.pin");
        File.WriteAllText(pinFile, "0000-0000-0000");
        File.SetUnixFileMode(pinFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var ex = Assert.Throws<SecurityConfigurationException>(() => Pkcs11KekProvider.Open(OptionsWithPin(pinFile)));
        Assert.Contains("refused the user PIN", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("0000-0000-0000", ex.Message, StringComparison.Ordinal);

        // The failed attempt left nothing behind: the right PIN still opens.
        using var provider = token.Open();
        Assert.False(provider.HasKey(NewVersion()));
    }

    [Fact]
    public void Open_PinFromEnvironmentVariable_Works()
    {
        var name = "BULWARK_TEST_PKCS11_PIN_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(name, SoftHsmToken.UserPin);
        try
        {
            using var provider = Pkcs11KekProvider.Open(new Pkcs11Options { LibraryPath = token.LibraryPath, TokenLabel = SoftHsmToken.Label, PinEnvironmentVariable = name });
            Assert.Equal("pkcs11", provider.Kind);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void Open_UnknownTokenLabel_NamesTheTokensFound()
    {
        var options = token.Options();
        options.TokenLabel = "no-such-token";
        var ex = Assert.Throws<SecurityConfigurationException>(() => Pkcs11KekProvider.Open(options));
        Assert.Contains("no-such-token", ex.Message, StringComparison.Ordinal);
        Assert.Contains(SoftHsmToken.Label, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_PinFileReadableByOthers_Refused()
    {
        var pinFile = Path.Combine(Path.GetDirectoryName(token.PinFile)!, "wide.pin");
        File.WriteAllText(pinFile, SoftHsmToken.UserPin);
        File.SetUnixFileMode(pinFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var ex = Assert.Throws<SecurityConfigurationException>(() => Pkcs11KekProvider.Open(OptionsWithPin(pinFile)));
        Assert.Contains("chmod 600", ex.Message, StringComparison.Ordinal);
    }

    private Pkcs11Options OptionsWithPin(string pinFile)
    {
        var options = token.Options();
        options.PinFile = pinFile;
        return options;
    }

    private static string NewVersion() => "k" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    private static (byte[] Nonce, byte[] DataKey, byte[] Wrapped, byte[] Tag) WrapRandom(Pkcs11KekProvider provider, string version)
    {
        var nonce = RandomNumberGenerator.GetBytes(12);
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var wrapped = new byte[32];
        var tag = new byte[16];
        provider.Wrap(version, nonce, dataKey, wrapped, tag, Aad);
        return (nonce, dataKey, wrapped, tag);
    }

    private static IObjectAttribute? TryRead(ISession session, IObjectHandle key, CKA attribute)
    {
        try
        {
            return session.GetAttributeValue(key, [attribute])[0];
        }
        catch (Pkcs11Exception ex) when (ex.RV is CKR.CKR_ATTRIBUTE_SENSITIVE)
        {
            return null;
        }
    }

    private static List<IObjectAttribute> SecretKeyTemplate(CKK type, string label, byte[] value, bool encrypt)
    {
        var f = Pkcs11Module.Factories.ObjectAttributeFactory;
        return
        [
            f.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
            f.Create(CKA.CKA_KEY_TYPE, type),
            f.Create(CKA.CKA_TOKEN, true),
            f.Create(CKA.CKA_PRIVATE, true),
            f.Create(CKA.CKA_SENSITIVE, true),
            f.Create(CKA.CKA_EXTRACTABLE, false),
            f.Create(CKA.CKA_LABEL, label),
            f.Create(CKA.CKA_ENCRYPT, encrypt),
            f.Create(CKA.CKA_DECRYPT, encrypt),
            f.Create(CKA.CKA_SIGN, !encrypt),
            f.Create(CKA.CKA_VALUE, value),
        ];
    }
}

using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Crypto;
using Bulwark.Core.Crypto.Providers;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Core.Tests.Crypto.Providers;

/// <summary>The key ring with <c>Bulwark:Keys:Provider = pkcs11</c>: KEKs on a SoftHSM2 token, metadata in the sidecar.</summary>
[Collection(SoftHsmCollection.Name)]
public sealed class Pkcs11KeyRingTests(SoftHsmToken token) : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("bulwark-pkcs11-ring-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));

    private KeyRing Open() => KekProviders.OpenRing(new KeysOptions { Provider = "pkcs11" }, new StorageOptions { DataDir = _dataDir }, _time, token.Options);

    [Fact]
    public void FreshRing_CreatesItsKeyOnTheToken_AndEnvelopesSurviveARestart()
    {
        byte[] sealedBytes;
        string first;
        using (var ring = Open())
        {
            Assert.Equal("pkcs11", ring.ProviderKind);
            first = ring.PrimaryKeyId;
            sealedBytes = new EnvelopeEncryption(ring).Encrypt("patient 17"u8, "obj-1", "dataset");
        }

        Assert.True(File.Exists(Path.Combine(_dataDir, SidecarKeyRingStore.FileName)));
        Assert.DoesNotContain("material", File.ReadAllText(Path.Combine(_dataDir, SidecarKeyRingStore.FileName)), StringComparison.OrdinalIgnoreCase);

        using var reopened = Open();
        Assert.Equal(first, reopened.PrimaryKeyId);
        Assert.Equal("patient 17", Encoding.UTF8.GetString(new EnvelopeEncryption(reopened).Decrypt(sealedBytes, "obj-1", "dataset")));
        Assert.ThrowsAny<CryptographicException>(() => new EnvelopeEncryption(reopened).Decrypt(sealedBytes, "obj-2", "dataset"));
    }

    [Fact]
    public void Rotate_NewDataUnderTheNewVersion_OldStillReadable_DisabledRefused()
    {
        using var ring = Open();
        var envelope = new EnvelopeEncryption(ring);
        var old = envelope.Encrypt("before"u8, "a", "p");
        var oldVersion = ring.PrimaryKeyId;

        var rotated = ring.Rotate(_time);
        var fresh = envelope.Encrypt("after"u8, "b", "p");

        Assert.NotEqual(oldVersion, rotated);
        Assert.Equal(rotated, EnvelopeEncryption.ReadKeyId(fresh));
        Assert.Equal(oldVersion, EnvelopeEncryption.ReadKeyId(old));
        Assert.Equal("before", Encoding.UTF8.GetString(envelope.Decrypt(old, "a", "p")));

        Assert.Null(ring.SetState(oldVersion, enabled: false));
        var refused = Assert.Throws<KeyVersionUnavailableException>(() => envelope.Decrypt(old, "a", "p"));
        Assert.Equal(oldVersion, refused.VersionId);
        Assert.Equal("after", Encoding.UTF8.GetString(envelope.Decrypt(fresh, "b", "p")));
    }

    [Fact]
    public void MissingSettings_RefuseToStart()
    {
        var ex = Assert.Throws<SecurityConfigurationException>(() =>
            KekProviders.OpenRing(new KeysOptions { Provider = "pkcs11" }, new StorageOptions { DataDir = _dataDir }, _time, () => new Pkcs11Options()));
        Assert.Contains(Pkcs11Options.Section, ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);
}

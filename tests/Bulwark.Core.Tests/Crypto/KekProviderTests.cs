using Bulwark.Core.Crypto;
using Bulwark.Core.Crypto.Providers;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Core.Tests.Crypto;

/// <summary>The provider switch and the environment-variable provider (read-only, 256-bit keys, metadata in the sidecar).</summary>
public sealed class KekProviderTests : IDisposable
{
    private const string KeyA = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
    private const string KeyB = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
    private readonly string _dir = Directory.CreateTempSubdirectory("bulwark-kek-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));

    private StorageOptions Storage => new() { DataDir = _dir };

    private KeyRing OpenEnv(string value) =>
        new(EnvironmentKekProvider.FromVariable("TEST_KEYS", value), new SidecarKeyRingStore(Path.Combine(_dir, SidecarKeyRingStore.FileName), "env"), _time);

    [Theory]
    [InlineData("")]
    [InlineData("k1")]
    [InlineData("k1:AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("k1:q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJCrze8SNFZ4kA==")]
    [InlineData("k1:not-base64!")]
    [InlineData("../x:q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=")]
    [InlineData("k1:q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=,k1:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=")]
    public void FromVariable_MissingShortOrMalformedKeys_Refuses(string value)
    {
        var ex = Assert.Throws<SecurityConfigurationException>(() => EnvironmentKekProvider.FromVariable("TEST_KEYS", value));
        Assert.Contains("TEST_KEYS", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("q83vEjRW", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnvProvider_RotateRefused_SidecarOwnerOnlyWithoutMaterial_NewLastKeyBecomesPrimary()
    {
        byte[] sealedBytes;
        using (var ring = OpenEnv($"ka:{KeyA}"))
        {
            Assert.Equal("env", ring.ProviderKind);
            Assert.False(ring.CanCreateKeys);
            var ex = Assert.Throws<InvalidOperationException>(() => ring.Rotate(_time));
            Assert.Contains("restart", ex.Message, StringComparison.Ordinal);
            sealedBytes = new EnvelopeEncryption(ring).Encrypt("secret"u8, "a", "p");
        }

        var sidecar = Path.Combine(_dir, SidecarKeyRingStore.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(sidecar));
        Assert.DoesNotContain(KeyA, File.ReadAllText(sidecar), StringComparison.Ordinal);

        using (var rotated = OpenEnv($"ka:{KeyA},kb:{KeyB}"))
        {
            Assert.Equal("kb", rotated.PrimaryKeyId);
            Assert.Equal("kb", EnvelopeEncryption.ReadKeyId(new EnvelopeEncryption(rotated).Encrypt("x"u8, "b", "p")));
            Assert.Equal("secret"u8.ToArray(), new EnvelopeEncryption(rotated).Decrypt(sealedBytes, "a", "p"));
            Assert.Null(rotated.SetState("ka", enabled: false));
        }

        // State lives in the sidecar, so a restart with the same variable keeps the version disabled.
        using var again = OpenEnv($"ka:{KeyA},kb:{KeyB}");
        Assert.Throws<KeyVersionUnavailableException>(() => new EnvelopeEncryption(again).Decrypt(sealedBytes, "a", "p"));

        // Dropping or reordering the derivation root would silently change every pepper: refused.
        Assert.Throws<SecurityConfigurationException>(() => OpenEnv($"kb:{KeyB}"));
        Assert.Throws<SecurityConfigurationException>(() => OpenEnv($"kb:{KeyB},ka:{KeyA}"));
    }

    [Fact]
    public void Sidecar_WiderThan0600_Refuses()
    {
        using (OpenEnv($"ka:{KeyA}"))
        {
        }

        File.SetUnixFileMode(Path.Combine(_dir, SidecarKeyRingStore.FileName), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Assert.Contains("chmod 600", Assert.Throws<SecurityConfigurationException>(() => OpenEnv($"ka:{KeyA}")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Switch_Pkcs11_WithoutItsSettings_IsAClearConfigurationError_UnknownToo()
    {
        Assert.Contains("Bulwark:Keys:Pkcs11", Assert.Throws<SecurityConfigurationException>(
            () => KekProviders.OpenRing(new KeysOptions { Provider = "pkcs11" }, Storage, _time)).Message, StringComparison.Ordinal);
        Assert.Throws<SecurityConfigurationException>(() => KekProviders.OpenRing(new KeysOptions { Provider = "vault" }, Storage, _time));
    }

    [Fact]
    public void Switch_File_IsTheDefault_AndKeepsTheModeCheck()
    {
        MasterKeyFile.CreateNew(_time).WriteTo(Storage.MasterKeyPath);
        using (var ring = KekProviders.OpenRing(new KeysOptions(), Storage, _time))
        {
            Assert.Equal("file", ring.ProviderKind);
            Assert.True(ring.CanCreateKeys);
        }

        File.SetUnixFileMode(Storage.MasterKeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        Assert.Throws<SecurityConfigurationException>(() => KekProviders.OpenRing(new KeysOptions(), Storage, _time));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

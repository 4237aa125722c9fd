using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Crypto;
using Bulwark.Core.Crypto.Providers;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Core.Tests.Crypto;

/// <summary>The key ring over real key files: states, minimum version, rotation, destroy, derivation and the /1 format.</summary>
public sealed class KeyRingTests : IDisposable
{
    // A format /1 key file as Bulwark wrote it before the key ring had states: two versions, the second primary.
    private const string RootMaterial = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
    private const string SecondMaterial = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
    private static readonly string V1File = $$"""
        {"format":"bulwark-master-key/1","primary":"k00000002","keys":[
          {"id":"k00000001","createdAt":"2026-01-01T00:00:00+00:00","material":"{{RootMaterial}}"},
          {"id":"k00000002","createdAt":"2026-02-01T00:00:00+00:00","material":"{{SecondMaterial}}"}]}
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("bulwark-ring-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));

    private string KeyPath => Path.Combine(_dir, "master.key");

    private KeyRing Open()
    {
        var provider = FileKekProvider.Open(KeyPath, _time);
        return new KeyRing(provider, provider, _time);
    }

    private void WriteV1()
    {
        File.WriteAllText(KeyPath, V1File);
        File.SetUnixFileMode(KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public void DeriveKey_FromAVersion1File_IsHkdfOfTheFirstKey_AndSurvivesRotation()
    {
        WriteV1();
        using var ring = Open();
        var expected = HKDF.DeriveKey(HashAlgorithmName.SHA256, Convert.FromBase64String(RootMaterial), 32, [], Encoding.UTF8.GetBytes("bulwark/api-key-pepper"));

        Assert.Equal(expected, ring.DeriveKey("api-key-pepper"));
        // Pinned by an independent HKDF (RFC 5869) computation: a change here would orphan every API key and row tag.
        Assert.Equal("591080245dd173df", Convert.ToHexStringLower(ring.DeriveKey("api-key-pepper", 8)));

        ring.Rotate(_time);
        Assert.Equal(expected, ring.DeriveKey("api-key-pepper"));
        using var reopened = Open();
        Assert.Equal(expected, reopened.DeriveKey("api-key-pepper"));
    }

    [Fact]
    public void Decrypt_EnvelopeBuiltByHandToTheDocumentedLayout_Opens()
    {
        // An independent encoder of the documented layout: existing data written before the key ring must still open.
        WriteV1();
        using var ring = Open();
        var envelope = LegacyEnvelope("k00000001", Convert.FromBase64String(RootMaterial), "patient rows"u8, "obj-1", "dataset");

        Assert.Equal("patient rows"u8.ToArray(), new EnvelopeEncryption(ring).Decrypt(envelope, "obj-1", "dataset"));
    }

    [Fact]
    public void Rotate_OldDataReadable_NewDataUnderTheNewVersion_FileIsVersion2AndOwnerOnly()
    {
        WriteV1();
        using var ring = Open();
        var envelope = new EnvelopeEncryption(ring);
        var old = envelope.Encrypt("old"u8, "a", "p");

        var id = ring.Rotate(_time);
        var fresh = envelope.Encrypt("new"u8, "b", "p");

        Assert.Equal("k00000002", EnvelopeEncryption.ReadKeyId(old));
        Assert.Equal(id, EnvelopeEncryption.ReadKeyId(fresh));
        Assert.Equal("old"u8.ToArray(), envelope.Decrypt(old, "a", "p"));
        Assert.Contains(MasterKeyFile.FormatId, File.ReadAllText(KeyPath), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));

        using var reopened = Open();
        Assert.Equal(id, reopened.PrimaryKeyId);
        Assert.Equal([1, 2, 3], reopened.Versions.Select(v => v.Version));
        Assert.Equal("new"u8.ToArray(), new EnvelopeEncryption(reopened).Decrypt(fresh, "b", "p"));
    }

    [Fact]
    public void Disable_DataUnderIt_RefusesWithTheVersionAndState_EnableOpensAgain()
    {
        WriteV1();
        using var ring = Open();
        var envelope = new EnvelopeEncryption(ring);
        var sealedBytes = envelope.Encrypt("secret"u8, "a", "p");
        ring.Rotate(_time);

        Assert.Null(ring.SetState("k00000002", enabled: false));
        var ex = Assert.Throws<KeyVersionUnavailableException>(() => envelope.Decrypt(sealedBytes, "a", "p"));
        Assert.Equal("k00000002", ex.VersionId);
        Assert.Equal("crypto.key-disabled", ex.Code);
        Assert.Contains("k00000002", ex.Message, StringComparison.Ordinal);
        Assert.Contains("disabled", ex.Message, StringComparison.Ordinal);

        // Persisted: a restart keeps refusing.
        using (var reopened = Open())
        {
            Assert.Throws<KeyVersionUnavailableException>(() => new EnvelopeEncryption(reopened).Decrypt(sealedBytes, "a", "p"));
        }

        Assert.Null(ring.SetState("k00000002", enabled: true));
        Assert.Equal("secret"u8.ToArray(), envelope.Decrypt(sealedBytes, "a", "p"));
    }

    [Fact]
    public void Primary_CannotBeDisabledOrDestroyed()
    {
        WriteV1();
        using var ring = Open();

        Assert.Equal(KeyRingFailures.PrimaryCode, ring.SetState(ring.PrimaryKeyId, enabled: false)!.Code);
        Assert.Equal(KeyRingFailures.PrimaryCode, ring.Destroy(ring.PrimaryKeyId)!.Code);
        Assert.Equal(KeyRingFailures.NotFoundCode, ring.SetState("k99999999", enabled: false)!.Code);
    }

    [Fact]
    public void Destroy_OnlyDisabledNonRoot_MaterialLeavesTheFile_DataIsGoneForGood()
    {
        WriteV1();
        using var ring = Open();
        var envelope = new EnvelopeEncryption(ring);
        var sealedBytes = envelope.Encrypt("secret"u8, "a", "p");
        ring.Rotate(_time);

        Assert.Equal(KeyRingFailures.InvalidStateCode, ring.Destroy("k00000002")!.Code);
        ring.SetState("k00000001", enabled: false);
        Assert.Equal(KeyRingFailures.DerivationRootCode, ring.Destroy("k00000001")!.Code);
        ring.SetState("k00000002", enabled: false);
        Assert.Null(ring.Destroy("k00000002"));

        Assert.DoesNotContain(SecondMaterial, File.ReadAllText(KeyPath), StringComparison.Ordinal);
        Assert.Equal("crypto.key-destroyed", Assert.Throws<KeyVersionUnavailableException>(() => envelope.Decrypt(sealedBytes, "a", "p")).Code);
        Assert.Equal(KeyRingFailures.NotFoundCode, ring.SetState("k00000002", enabled: true)!.Code);
        using var reopened = Open();
        Assert.Equal(KeyVersionStates.Destroyed, reopened.Find("k00000002")!.State);
    }

    [Fact]
    public void MinimumVersion_OlderEnvelopesRefuse_AndItCannotPassThePrimary()
    {
        WriteV1();
        using var ring = Open();
        var envelope = new EnvelopeEncryption(ring);
        var sealedBytes = envelope.Encrypt("secret"u8, "a", "p");
        ring.Rotate(_time);

        Assert.Equal(KeyRingFailures.InvalidCode, ring.SetMinimumVersion(4)!.Code);
        Assert.Equal(KeyRingFailures.InvalidCode, ring.SetMinimumVersion(0)!.Code);
        Assert.Null(ring.SetMinimumVersion(3));

        Assert.Equal("crypto.key-below-minimum", Assert.Throws<KeyVersionUnavailableException>(() => envelope.Decrypt(sealedBytes, "a", "p")).Code);
        Assert.Equal(3, Open().MinimumVersion);
    }

    [Fact]
    public void Rewrap_MovesOnlyTheDataKey_BodyUnchanged_AndStillBoundToItsObject()
    {
        WriteV1();
        using var ring = Open();
        var envelope = new EnvelopeEncryption(ring);
        var before = envelope.Encrypt(Encoding.UTF8.GetBytes(new string('x', 100)), "a", "p");
        var other = envelope.Encrypt("other"u8, "b", "p");
        var id = ring.Rotate(_time);

        var after = envelope.Rewrap(before, "a", "p")!;

        Assert.Equal(id, EnvelopeEncryption.ReadKeyId(after));
        const int bodyFromEnd = 12 + 16 + 100;
        Assert.Equal(before[^bodyFromEnd..], after[^bodyFromEnd..]);
        Assert.Equal(new string('x', 100), Encoding.UTF8.GetString(envelope.Decrypt(after, "a", "p")));
        Assert.Null(envelope.Rewrap(after, "a", "p"));

        // A rewrap cannot launder a ciphertext onto another object, nor accept a tampered one.
        Assert.ThrowsAny<CryptographicException>(() => envelope.Rewrap(other, "a", "p"));
        var tampered = (byte[])before.Clone();
        tampered[20] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => envelope.Rewrap(tampered, "a", "p"));

        // Swapping the rewrapped body with another object's fails authentication.
        var swapped = after[..^bodyFromEnd].Concat(envelope.Rewrap(other, "b", "p")![^(12 + 16 + 5)..]).ToArray();
        Assert.ThrowsAny<CryptographicException>(() => envelope.Decrypt(swapped, "a", "p"));
    }

    [Fact]
    public void Rewrap_FromADisabledVersion_IsAllowed_FromADestroyedOneIsNot()
    {
        WriteV1();
        using var ring = Open();
        var envelope = new EnvelopeEncryption(ring);
        var sealedBytes = envelope.Encrypt("secret"u8, "a", "p");
        ring.Rotate(_time);
        ring.SetState("k00000002", enabled: false);

        var moved = envelope.Rewrap(sealedBytes, "a", "p")!;
        Assert.Equal("secret"u8.ToArray(), envelope.Decrypt(moved, "a", "p"));

        ring.Destroy("k00000002");
        Assert.Throws<KeyVersionUnavailableException>(() => envelope.Rewrap(sealedBytes, "a", "p"));
    }

    [Theory]
    [InlineData("""{"format":"bulwark-master-key/2","primary":"k1","keys":[{"id":"k1","version":1,"state":"disabled","createdAt":"2026-01-01T00:00:00Z","material":"q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="}]}""")]
    [InlineData("""{"format":"bulwark-master-key/2","primary":"k1","keys":[{"id":"k1","version":1,"state":"bogus","createdAt":"2026-01-01T00:00:00Z","material":"q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="}]}""")]
    [InlineData("""{"format":"bulwark-master-key/2","primary":"k1","keys":[{"id":"k1","version":1,"state":"enabled","createdAt":"2026-01-01T00:00:00Z","material":"q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="},{"id":"k1","version":2,"state":"enabled","createdAt":"2026-01-01T00:00:00Z","material":"q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="}]}""")]
    [InlineData("""{"format":"bulwark-master-key/2","primary":"k1","keys":[{"id":"../k","version":1,"state":"enabled","createdAt":"2026-01-01T00:00:00Z","material":"q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="}]}""")]
    public void Load_Version2FileWithBadStateOrIds_Refuses(string content)
    {
        File.WriteAllText(KeyPath, content);
        File.SetUnixFileMode(KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Throws<SecurityConfigurationException>(() => MasterKeyFile.Load(KeyPath));
    }

    [Fact]
    public void Rotate_KeepsTheFileOwnerOnly_EvenIfItWasLoosenedMeanwhile_Refuses()
    {
        WriteV1();
        using var ring = Open();
        File.SetUnixFileMode(KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        // The provider re-reads the file before changing it: a file someone widened is refused, not silently rewritten.
        Assert.Throws<SecurityConfigurationException>(() => ring.Rotate(_time));
        Assert.Equal("k00000002", ring.PrimaryKeyId);
    }

    internal static byte[] LegacyEnvelope(string keyId, byte[] kek, ReadOnlySpan<byte> plaintext, string objectId, string purpose)
    {
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var wrapNonce = RandomNumberGenerator.GetBytes(12);
        var wrapped = new byte[32];
        var wrapTag = new byte[16];
        using (var aes = new AesGcm(kek, 16))
        {
            aes.Encrypt(wrapNonce, dataKey, wrapped, wrapTag, Encoding.UTF8.GetBytes($"bulwark/wrap/v1\n{keyId}\n{purpose}\n{objectId}"));
        }

        var nonce = RandomNumberGenerator.GetBytes(12);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[16];
        var text = Encoding.UTF8.GetBytes($"bulwark/data/v1\n{purpose}\n{objectId}");
        byte[] ad = [(byte)(text.Length >> 24), (byte)(text.Length >> 16), (byte)(text.Length >> 8), (byte)text.Length, .. text];
        using (var aes = new AesGcm(dataKey, 16))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, ad);
        }

        return [.. "BWE1"u8, (byte)keyId.Length, .. Encoding.ASCII.GetBytes(keyId), .. wrapNonce, .. wrapped, .. wrapTag, .. nonce, .. tag, .. ciphertext];
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

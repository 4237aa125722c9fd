using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Crypto;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Core.Tests.Crypto;

public sealed class EnvelopeEncryptionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bulwark-env-").FullName;
    private readonly KeyRing _ring;
    private readonly EnvelopeEncryption _envelope;

    public EnvelopeEncryptionTests()
    {
        var path = Path.Combine(_dir, "master.key");
        MasterKeyFile.CreateNew(new FakeTimeProvider()).WriteTo(path);
        _ring = new KeyRing(MasterKeyFile.Load(path));
        _envelope = new EnvelopeEncryption(_ring);
    }

    [Fact]
    public void Decrypt_RoundTrip_ReturnsPlaintext()
    {
        var plaintext = Encoding.UTF8.GetBytes("patient,diagnosis\n1,malignant");
        var sealedBytes = _envelope.Encrypt(plaintext, "obj-1", "dataset");

        Assert.Equal(plaintext, _envelope.Decrypt(sealedBytes, "obj-1", "dataset"));
        Assert.Equal(_ring.PrimaryKeyId, EnvelopeEncryption.ReadKeyId(sealedBytes));
    }

    [Fact]
    public void Encrypt_Ciphertext_ContainsNoPlaintext()
    {
        var canary = Encoding.UTF8.GetBytes("CANARY-4111111111111111-CANARY");
        var sealedBytes = _envelope.Encrypt(canary, "obj-1", "dataset");

        Assert.Equal(-1, sealedBytes.AsSpan().IndexOf(canary));
        Assert.Equal(-1, sealedBytes.AsSpan().IndexOf("CANARY"u8));
    }

    [Fact]
    public void Encrypt_SamePlaintextTwice_GivesDifferentCiphertexts()
    {
        var a = _envelope.Encrypt("same"u8, "obj-1", "dataset");
        var b = _envelope.Encrypt("same"u8, "obj-1", "dataset");

        Assert.False(a.AsSpan().SequenceEqual(b));
    }

    [Theory]
    [InlineData("obj-2", "dataset")]
    [InlineData("obj-1", "model")]
    public void Decrypt_UnderAnotherObjectOrPurpose_Fails(string objectId, string purpose)
    {
        var sealedBytes = _envelope.Encrypt("secret rows"u8, "obj-1", "dataset");

        Assert.ThrowsAny<CryptographicException>(() => _envelope.Decrypt(sealedBytes, objectId, purpose));
    }

    [Fact]
    public void Decrypt_AnyFlippedByte_Fails()
    {
        var sealedBytes = _envelope.Encrypt(Encoding.UTF8.GetBytes(new string('x', 64)), "obj-1", "dataset");

        for (var i = 0; i < sealedBytes.Length; i++)
        {
            var tampered = (byte[])sealedBytes.Clone();
            tampered[i] ^= 0x01;
            Assert.ThrowsAny<CryptographicException>(() => _envelope.Decrypt(tampered, "obj-1", "dataset"));
        }
    }

    [Fact]
    public void Decrypt_Truncated_Fails()
    {
        var sealedBytes = _envelope.Encrypt("data"u8, "obj-1", "dataset");

        foreach (var length in new[] { 0, 3, 5, 20, sealedBytes.Length - 1 })
        {
            Assert.ThrowsAny<CryptographicException>(() => _envelope.Decrypt(sealedBytes.AsSpan(0, length), "obj-1", "dataset"));
        }
    }

    [Fact]
    public void Decrypt_WithAnotherMasterKey_Fails()
    {
        var otherPath = Path.Combine(_dir, "other.key");
        MasterKeyFile.CreateNew(new FakeTimeProvider()).WriteTo(otherPath);
        using var otherRing = new KeyRing(MasterKeyFile.Load(otherPath));
        var sealedBytes = _envelope.Encrypt("data"u8, "obj-1", "dataset");

        Assert.ThrowsAny<CryptographicException>(() => new EnvelopeEncryption(otherRing).Decrypt(sealedBytes, "obj-1", "dataset"));
    }

    public void Dispose()
    {
        _ring.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}

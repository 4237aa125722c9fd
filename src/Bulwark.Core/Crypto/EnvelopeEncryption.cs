using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Core.Crypto;

/// <summary>
/// AES-256-GCM envelope encryption: each object gets a fresh 256-bit data key, wrapped by the primary master key.
/// The associated data binds both the wrapped key and the ciphertext to the object's id and purpose, so a
/// ciphertext copied onto another object (or another purpose) fails authentication instead of decrypting.
/// </summary>
/// <remarks>
/// Layout: "BWE1" | keyIdLength (1) | keyId | wrapNonce (12) | wrappedKey (32) | wrapTag (16) | nonce (12) | tag (16) | ciphertext.
/// Nonces are random 96-bit values; each data key encrypts exactly one message, so nonce reuse cannot occur.
/// </remarks>
internal sealed class EnvelopeEncryption(KeyRing keyRing)
{
    private static ReadOnlySpan<byte> Magic => "BWE1"u8;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int KeySize = 32;

    public byte[] Encrypt(ReadOnlySpan<byte> plaintext, string objectId, string purpose)
    {
        var keyId = keyRing.PrimaryKeyId;
        var keyIdBytes = Encoding.ASCII.GetBytes(keyId);
        var headerSize = Magic.Length + 1 + keyIdBytes.Length + NonceSize + KeySize + TagSize + NonceSize + TagSize;
        var output = new byte[headerSize + plaintext.Length];
        var span = output.AsSpan();

        Magic.CopyTo(span);
        span[4] = checked((byte)keyIdBytes.Length);
        keyIdBytes.CopyTo(span[5..]);
        var offset = 5 + keyIdBytes.Length;
        var wrapNonce = span.Slice(offset, NonceSize);
        var wrappedKey = span.Slice(offset + NonceSize, KeySize);
        var wrapTag = span.Slice(offset + NonceSize + KeySize, TagSize);
        offset += NonceSize + KeySize + TagSize;
        var nonce = span.Slice(offset, NonceSize);
        var tag = span.Slice(offset + NonceSize, TagSize);
        var ciphertext = span[(offset + NonceSize + TagSize)..];

        Span<byte> dataKey = stackalloc byte[KeySize];
        try
        {
            RandomNumberGenerator.Fill(dataKey);
            RandomNumberGenerator.Fill(wrapNonce);
            RandomNumberGenerator.Fill(nonce);
            using (var kek = new AesGcm(keyRing.GetKey(keyId), TagSize))
            {
                kek.Encrypt(wrapNonce, dataKey, wrappedKey, wrapTag, WrapAssociatedData(keyId, objectId, purpose));
            }

            using var dek = new AesGcm(dataKey, TagSize);
            dek.Encrypt(nonce, plaintext, ciphertext, tag, DataAssociatedData(objectId, purpose));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }

        return output;
    }

    /// <exception cref="CryptographicException">The envelope is malformed, was made for another object or purpose, or was altered.</exception>
    public byte[] Decrypt(ReadOnlySpan<byte> envelope, string objectId, string purpose)
    {
        if (envelope.Length < 6 || !envelope[..4].SequenceEqual(Magic))
        {
            throw new CryptographicException("Not a Bulwark envelope.");
        }

        int keyIdLength = envelope[4];
        var offset = 5 + keyIdLength;
        if (keyIdLength == 0 || envelope.Length < offset + NonceSize + KeySize + TagSize + NonceSize + TagSize)
        {
            throw new CryptographicException("Truncated Bulwark envelope.");
        }

        var keyId = Encoding.ASCII.GetString(envelope.Slice(5, keyIdLength));
        var wrapNonce = envelope.Slice(offset, NonceSize);
        var wrappedKey = envelope.Slice(offset + NonceSize, KeySize);
        var wrapTag = envelope.Slice(offset + NonceSize + KeySize, TagSize);
        offset += NonceSize + KeySize + TagSize;
        var nonce = envelope.Slice(offset, NonceSize);
        var tag = envelope.Slice(offset + NonceSize, TagSize);
        var ciphertext = envelope[(offset + NonceSize + TagSize)..];

        var plaintext = new byte[ciphertext.Length];
        Span<byte> dataKey = stackalloc byte[KeySize];
        try
        {
            using (var kek = new AesGcm(keyRing.GetKey(keyId), TagSize))
            {
                kek.Decrypt(wrapNonce, wrappedKey, wrapTag, dataKey, WrapAssociatedData(keyId, objectId, purpose));
            }

            using var dek = new AesGcm(dataKey, TagSize);
            dek.Decrypt(nonce, ciphertext, tag, plaintext, DataAssociatedData(objectId, purpose));
        }
        catch (CryptographicException)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }

        return plaintext;
    }

    /// <summary>Reads the master key version an envelope names, without decrypting it.</summary>
    public static string ReadKeyId(ReadOnlySpan<byte> envelope) =>
        envelope.Length >= 6 && envelope[..4].SequenceEqual(Magic) && envelope.Length >= 5 + envelope[4]
            ? Encoding.ASCII.GetString(envelope.Slice(5, envelope[4]))
            : throw new CryptographicException("Not a Bulwark envelope.");

    private static byte[] WrapAssociatedData(string keyId, string objectId, string purpose) =>
        Encoding.UTF8.GetBytes($"bulwark/wrap/v1\n{keyId}\n{purpose}\n{objectId}");

    private static byte[] DataAssociatedData(string objectId, string purpose)
    {
        var text = Encoding.UTF8.GetBytes($"bulwark/data/v1\n{purpose}\n{objectId}");
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, text.Length);
        return [.. length, .. text];
    }
}

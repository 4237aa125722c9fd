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
            keyRing.Wrap(keyId, wrapNonce, dataKey, wrappedKey, wrapTag, WrapAssociatedData(keyId, objectId, purpose));

            using var dek = new AesGcm(dataKey, TagSize);
            dek.Encrypt(nonce, plaintext, ciphertext, tag, DataAssociatedData(objectId, purpose));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }

        return output;
    }

    /// <exception cref="KeyVersionUnavailableException">The envelope names a disabled, destroyed, below-minimum or unknown key version.</exception>
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
            keyRing.Unwrap(keyId, wrapNonce, wrappedKey, wrapTag, dataKey, WrapAssociatedData(keyId, objectId, purpose));

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

    /// <summary>
    /// Re-wraps the envelope's data key under the primary without touching the data: only the 32-byte data key is
    /// unwrapped (under the version the envelope names, even if disabled) and wrapped again; the data nonce, tag and
    /// ciphertext are copied unchanged, so the plaintext is never produced. Returns null when already under the primary.
    /// </summary>
    /// <exception cref="CryptographicException">The envelope is malformed, bound to another object or purpose, or altered.</exception>
    public byte[]? Rewrap(ReadOnlySpan<byte> envelope, string objectId, string purpose)
    {
        var oldKeyId = ReadKeyId(envelope);
        var newKeyId = keyRing.PrimaryKeyId;
        if (oldKeyId == newKeyId)
        {
            return null;
        }

        var oldOffset = 5 + oldKeyId.Length;
        if (envelope.Length < oldOffset + NonceSize + KeySize + TagSize + NonceSize + TagSize)
        {
            throw new CryptographicException("Truncated Bulwark envelope.");
        }

        var body = envelope[(oldOffset + NonceSize + KeySize + TagSize)..];
        var newKeyIdBytes = Encoding.ASCII.GetBytes(newKeyId);
        var output = new byte[Magic.Length + 1 + newKeyIdBytes.Length + NonceSize + KeySize + TagSize + body.Length];
        var span = output.AsSpan();
        Magic.CopyTo(span);
        span[4] = checked((byte)newKeyIdBytes.Length);
        newKeyIdBytes.CopyTo(span[5..]);
        var newOffset = 5 + newKeyIdBytes.Length;
        var wrapNonce = span.Slice(newOffset, NonceSize);
        body.CopyTo(span[(newOffset + NonceSize + KeySize + TagSize)..]);

        Span<byte> dataKey = stackalloc byte[KeySize];
        try
        {
            keyRing.Unwrap(oldKeyId, envelope.Slice(oldOffset, NonceSize), envelope.Slice(oldOffset + NonceSize, KeySize), envelope.Slice(oldOffset + NonceSize + KeySize, TagSize),
                dataKey, WrapAssociatedData(oldKeyId, objectId, purpose), allowDisabled: true);
            RandomNumberGenerator.Fill(wrapNonce);
            keyRing.Wrap(newKeyId, wrapNonce, dataKey, span.Slice(newOffset + NonceSize, KeySize), span.Slice(newOffset + NonceSize + KeySize, TagSize),
                WrapAssociatedData(newKeyId, objectId, purpose));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }

        return output;
    }

    /// <summary>Reads the master key version an envelope names, or null when the bytes are not a Bulwark envelope.</summary>
    public static string? TryReadKeyId(ReadOnlySpan<byte> envelope) =>
        envelope.Length >= 6 && envelope[..4].SequenceEqual(Magic) && envelope[4] > 0 && envelope.Length >= 5 + envelope[4]
            ? Encoding.ASCII.GetString(envelope.Slice(5, envelope[4]))
            : null;

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

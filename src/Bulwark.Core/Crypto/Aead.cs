using System.Security.Cryptography;

namespace Bulwark.Core.Crypto;

/// <summary>
/// AES-256-GCM with exactly the parameters Bulwark uses everywhere (NIST SP 800-38D): a 256-bit key, an explicit 96-bit
/// nonce and a 128-bit tag. Anything else is refused with <see cref="ArgumentException"/> rather than quietly accepted,
/// so a truncated tag or a short key can never slip in through a caller. Checked against the Wycheproof AES-GCM vectors.
/// </summary>
internal static class Aead
{
    public const int KeySize = 32;
    public const int NonceSize = 12;
    public const int TagSize = 16;

    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="ciphertext"/> (same length) and writes the tag.</summary>
    public static void Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        CheckParameters(key.Length, nonce.Length, tag.Length);
        if (ciphertext.Length != plaintext.Length)
        {
            throw new ArgumentException("The ciphertext buffer must be exactly as long as the plaintext.", nameof(ciphertext));
        }

        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
    }

    /// <summary>Decrypts and authenticates; on failure <paramref name="plaintext"/> is zeroed and nothing is returned.</summary>
    /// <exception cref="AuthenticationTagMismatchException">The ciphertext, tag, nonce, key or associated data do not match.</exception>
    public static void Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        CheckParameters(key.Length, nonce.Length, tag.Length);
        if (plaintext.Length != ciphertext.Length)
        {
            throw new ArgumentException("The plaintext buffer must be exactly as long as the ciphertext.", nameof(plaintext));
        }

        using var aes = new AesGcm(key, TagSize);
        try
        {
            aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
        }
        catch (CryptographicException)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw;
        }
    }

    private static void CheckParameters(int key, int nonce, int tag)
    {
        if (key != KeySize)
        {
            throw new ArgumentException($"AES-256-GCM takes a {KeySize * 8}-bit key, not {key * 8} bits.", nameof(key));
        }

        if (nonce != NonceSize)
        {
            throw new ArgumentException($"AES-256-GCM here takes a {NonceSize * 8}-bit nonce, not {nonce * 8} bits.", nameof(nonce));
        }

        if (tag != TagSize)
        {
            throw new ArgumentException($"AES-256-GCM here takes a {TagSize * 8}-bit tag, not {tag * 8} bits.", nameof(tag));
        }
    }
}

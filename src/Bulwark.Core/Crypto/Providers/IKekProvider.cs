namespace Bulwark.Core.Crypto.Providers;

/// <summary>
/// Where the key-encryption keys (KEKs) of the key ring live and are used. The ring's metadata (versions, states,
/// primary, minimum decryption version) is kept by <see cref="KeyRing"/>; a provider only holds key material and performs
/// the two operations that need it, so a hardware provider never has to let a KEK leave the token.
/// </summary>
/// <remarks>
/// Every provider wraps with AES-256-GCM (96-bit nonce chosen by the caller, 128-bit tag), so envelopes have one layout
/// whichever provider made them and move between providers only by rewrapping.
/// </remarks>
internal interface IKekProvider : IDisposable
{
    /// <summary>"file", "env" or "pkcs11": shown by <c>bulwark keys list</c> and in the compliance report.</summary>
    string Kind { get; }

    /// <summary>False for providers whose keys are managed outside Bulwark (an environment variable): rotation is refused.</summary>
    bool CanCreateKeys { get; }

    /// <summary>True when the provider holds key material for <paramref name="versionId"/>.</summary>
    bool HasKey(string versionId);

    /// <summary>Creates a new 256-bit KEK for <paramref name="versionId"/> inside the provider.</summary>
    void CreateKey(string versionId);

    /// <summary>AES-256-GCM encrypts a data key under the KEK <paramref name="versionId"/>.</summary>
    void Wrap(string versionId, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> dataKey, Span<byte> wrappedKey, Span<byte> tag, ReadOnlySpan<byte> associatedData);

    /// <summary>AES-256-GCM decrypts a data key; throws <see cref="System.Security.Cryptography.CryptographicException"/> when it does not authenticate.</summary>
    void Unwrap(string versionId, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> wrappedKey, ReadOnlySpan<byte> tag, Span<byte> dataKey, ReadOnlySpan<byte> associatedData);

    /// <summary>
    /// Derives a purpose subkey of <paramref name="length"/> bytes bound to <paramref name="info"/> from the KEK
    /// <paramref name="versionId"/> (HKDF-SHA256 for software keys; HMAC on the token then HKDF-Expand for hardware keys).
    /// The same inputs always give the same bytes.
    /// </summary>
    byte[] DeriveKey(string versionId, ReadOnlySpan<byte> info, int length);

    /// <summary>Destroys the KEK <paramref name="versionId"/> irrecoverably (zeroed in memory and removed from the store).</summary>
    void DestroyKey(string versionId);
}

namespace Bulwark.Core.Identity;

/// <summary>An access-token signing key (ECDSA P-256). The private key is sealed under the key ring; retired keys keep verifying for an overlap.</summary>
internal sealed class SigningKeyRecord
{
    public string KeyId { get; set; } = "";

    /// <summary>PKCS#8 private key, sealed (AES-256-GCM, bound to the key id).</summary>
    public byte[] SealedPrivateKey { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RetiredAt { get; set; }
}

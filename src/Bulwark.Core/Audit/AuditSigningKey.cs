namespace Bulwark.Core.Audit;

/// <summary>
/// A key that signs audit checkpoints and exports (ECDSA P-256). The private key is sealed under the key ring and bound
/// to its key id; retired keys are kept so checkpoints they signed keep verifying.
/// </summary>
internal sealed class AuditSigningKey
{
    /// <summary>Lowercase hex SHA-256 of <see cref="PublicKey"/>.</summary>
    public string KeyId { get; set; } = "";

    /// <summary>DER SubjectPublicKeyInfo.</summary>
    public byte[] PublicKey { get; set; } = [];

    /// <summary>PKCS#8 private key, sealed (AES-256-GCM, associated data binds the key id).</summary>
    public byte[] SealedPrivateKey { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RetiredAt { get; set; }
}

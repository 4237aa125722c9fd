namespace Bulwark.Client.Contracts;

/// <summary>
/// The public key that signs model manifests (<c>GET /api/v1/models/signing-key</c>), for offline verification.
/// <paramref name="KeyId"/> is the hex SHA-256 of the DER SubjectPublicKeyInfo (the DSSE keyid); <paramref name="PublicKeyHint"/>
/// the OpenSSF model-signing hint (hex SHA-256 of the PEM) that exported bundles carry.
/// </summary>
public sealed record ModelSigningKeyInfo(string KeyId, string PublicKeyHint, string PublicKeyPem);

namespace Bulwark.Core.Registry;

/// <summary>Result of checking a manifest. <see cref="Code"/> is "registry.signature-invalid" or "registry.digest-mismatch" when invalid.</summary>
internal sealed record ManifestVerification(bool Valid, string? Code, string Detail, SignedManifest? Manifest)
{
    public static ManifestVerification Ok(SignedManifest manifest) => new(true, null, "verified", manifest);

    public static ManifestVerification BadSignature(string detail) => new(false, RegistryErrors.SignatureInvalid, detail, null);

    public static ManifestVerification BadDigest(string detail, SignedManifest? manifest = null) => new(false, RegistryErrors.DigestMismatch, detail, manifest);
}

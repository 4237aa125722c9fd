namespace Bulwark.Core.Registry;

/// <summary>
/// Result of verifying a model folder against an OMS bundle. <see cref="Code"/> (when invalid) is one of the registry's
/// stable codes: bundle-invalid, signer-untrusted, signature-invalid, path-unsafe or digest-mismatch.
/// </summary>
/// <param name="Content">Bulwark's signed facts (model, version, …) when a Bulwark server made the signature.</param>
internal sealed record DirectoryVerification(bool Valid, string? Code, string Detail, OmsStatement? Statement = null, ManifestContent? Content = null)
{
    public static DirectoryVerification Fail(string code, string detail, OmsStatement? statement = null) => new(false, code, detail, statement);
}

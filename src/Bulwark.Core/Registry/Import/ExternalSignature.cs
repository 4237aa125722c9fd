using System.Security.Cryptography;
using Bulwark.Core.Crypto;

namespace Bulwark.Core.Registry;

/// <summary>
/// Checks an OMS v1.0 bundle uploaded with an ONNX import: made by one of the trusted signers, over exactly the uploaded
/// file. What the model-signing tool writes for a single file (resource name ".") and for a folder holding only that
/// file (resource name = its file name) are both accepted; a bundle over more files is not, since the other files would
/// not be imported and the signer's intent for the one file alone is unknown.
/// </summary>
internal static class ExternalSignature
{
    /// <summary>The trusted signer, or a failure: 400 bundle-invalid, 422 signer-untrusted or 422 digest-mismatch.</summary>
    public static Outcome<TrustedSigner> Verify(byte[] bundleJson, byte[] model, TrustedSigners trusted)
    {
        if (!OmsBundle.TryParse(bundleJson, out var bundle, out var error))
        {
            return new Failure(RegistryErrors.BundleInvalid, 400, "The 'signature' part is not an OMS v1.0 bundle: " + error);
        }

        if (trusted.Find(bundle) is not { } signer)
        {
            return new Failure(RegistryErrors.SignerUntrusted, 422,
                $"The model was signed by key {bundle.PublicKeyHint}, which is not a trusted signer (Bulwark:Registry:TrustedSigners).");
        }

        var envelope = bundle.Envelope;
        if (envelope.PayloadType != Dsse.InTotoPayloadType
            || !ManifestVerifier.VerifyP256(signer.SubjectPublicKeyInfo, Dsse.Pae(envelope.PayloadType, envelope.Payload), envelope.Signatures[0].Sig))
        {
            return new Failure(RegistryErrors.SignerUntrusted, 422, $"The signature does not verify under trusted signer {signer.KeyId}.");
        }

        if (!OmsStatement.TryParse(envelope.Payload, out var statement, out error))
        {
            return new Failure(RegistryErrors.BundleInvalid, 400, "The signed statement is not usable: " + error);
        }

        if (statement.Resources.Count != 1 || statement.Resources[0].Name is not "." && !ManifestFileName.IsPlain(statement.Resources[0].Name))
        {
            return new Failure(RegistryErrors.BundleInvalid, 400, "The signature must cover exactly one file: the uploaded model.");
        }

        var digest = SHA256.HashData(model);
        if (!CryptographicOperations.FixedTimeEquals(digest, Convert.FromHexString(statement.Resources[0].Sha256)))
        {
            return new Failure(RegistryErrors.DigestMismatch, 422, "The uploaded model does not match the digest its signature covers.");
        }

        return signer;
    }
}

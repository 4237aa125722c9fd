using System.Security.Cryptography;
using Bulwark.Core.Crypto;

namespace Bulwark.Core.Registry;

/// <summary>
/// Verifies a model version's DSSE envelope against trusted public keys and its artifact files against the signed
/// digests. Everything the signature does not cover (the envelope JSON, the database row) is treated as hostile.
/// </summary>
internal sealed class ManifestVerifier
{
    private readonly Dictionary<string, byte[]> _keys;

    /// <param name="subjectPublicKeyInfos">DER SubjectPublicKeyInfo of each trusted P-256 key.</param>
    public ManifestVerifier(IEnumerable<byte[]> subjectPublicKeyInfos)
    {
        _keys = subjectPublicKeyInfos.ToDictionary(k => ManifestSigner.KeyIdOf(k), k => k, StringComparer.Ordinal);
    }

    /// <summary>A verifier for one PEM "PUBLIC KEY" (offline verification of exported models).</summary>
    public static ManifestVerifier FromPem(string pem)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(pem);
        return new ManifestVerifier([key.ExportSubjectPublicKeyInfo()]);
    }

    /// <summary>
    /// ECDSA P-256 / SHA-256 verification of an IEEE P1363 (r||s) signature, as Bulwark signed before, or of a DER one,
    /// as it signs now and as the OpenSSF model-signing tools do (see <see cref="EcdsaP256"/>). Both encode the same (r, s),
    /// so accepting either admits no signature the key did not make.
    /// </summary>
    public static bool VerifyP256(ReadOnlySpan<byte> subjectPublicKeyInfo, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        EcdsaP256.Verify(subjectPublicKeyInfo, data, signature) || EcdsaP256.VerifyDer(subjectPublicKeyInfo, data, signature);

    /// <summary>Checks the envelope and signature only; returns the signed manifest for fetching its files.</summary>
    public ManifestVerification VerifyEnvelope(string envelopeJson)
    {
        if (!Dsse.TryParse(envelopeJson, out var envelope, out var error))
        {
            return ManifestVerification.BadSignature(error);
        }

        if (envelope.PayloadType != Dsse.InTotoPayloadType)
        {
            return ManifestVerification.BadSignature("Unexpected DSSE payload type.");
        }

        var pae = Dsse.Pae(envelope.PayloadType, envelope.Payload);
        var trusted = envelope.Signatures.Any(s => _keys.TryGetValue(s.KeyId, out var key) && VerifyP256(key, pae, s.Sig));
        if (!trusted)
        {
            return ManifestVerification.BadSignature("No valid signature by a trusted manifest key.");
        }

        if (!ModelManifest.TryParse(envelope.Payload, out var manifest, out error))
        {
            return ManifestVerification.BadSignature(error);
        }

        if (manifest.Resources.Count == 0 || manifest.Resources.Any(r => !ManifestFileName.IsPlain(r.Name))
            || manifest.Resources.Select(r => r.Name).Distinct(StringComparer.Ordinal).Count() != manifest.Resources.Count)
        {
            return ManifestVerification.BadDigest("The manifest names no files, a duplicate file or a path instead of a plain file name.", manifest);
        }

        if (!RootDigestMatches(manifest))
        {
            return ManifestVerification.BadDigest("The manifest's root digest does not match its resources.", manifest);
        }

        return ManifestVerification.Ok(manifest);
    }

    /// <summary>Full check: envelope, signature, and exactly these files with exactly the signed digests.</summary>
    public ManifestVerification Verify(string envelopeJson, IReadOnlyDictionary<string, byte[]> files)
    {
        var result = VerifyEnvelope(envelopeJson);
        return result.Valid ? VerifyFiles(result.Manifest!, files) : result;
    }

    public static ManifestVerification VerifyFiles(SignedManifest manifest, IReadOnlyDictionary<string, byte[]> files)
    {
        foreach (var name in files.Keys)
        {
            if (!ManifestFileName.IsPlain(name) || !manifest.Resources.Any(r => r.Name == name))
            {
                return ManifestVerification.BadDigest($"File '{Printable(name)}' is not covered by the signed manifest.", manifest);
            }
        }

        foreach (var resource in manifest.Resources)
        {
            if (!files.TryGetValue(resource.Name, out var bytes))
            {
                return ManifestVerification.BadDigest($"File '{resource.Name}' named by the manifest is missing.", manifest);
            }

            var actual = SHA256.HashData(bytes);
            byte[] expected;
            try
            {
                expected = Convert.FromHexString(resource.Sha256);
            }
            catch (FormatException)
            {
                return ManifestVerification.BadDigest($"The manifest digest of '{resource.Name}' is not hex.", manifest);
            }

            if (!CryptographicOperations.FixedTimeEquals(actual, expected))
            {
                return ManifestVerification.BadDigest($"File '{resource.Name}' does not match its signed digest.", manifest);
            }
        }

        return ManifestVerification.Ok(manifest);
    }

    private static bool RootDigestMatches(SignedManifest manifest)
    {
        try
        {
            return ModelManifest.IsRootDigestOf(manifest.Resources, manifest.RootDigest);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string Printable(string name) => new([.. name.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
}

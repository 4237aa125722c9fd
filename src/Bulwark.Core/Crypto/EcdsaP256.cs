using System.Security.Cryptography;

namespace Bulwark.Core.Crypto;

/// <summary>
/// ECDSA P-256 with SHA-256 and IEEE P1363 (r||s) signatures: the one signature scheme Bulwark uses for model manifests,
/// audit checkpoints and evidence bundles. Key ids are the lowercase hex SHA-256 of the SubjectPublicKeyInfo, so anyone
/// holding the public key can recompute them.
/// </summary>
internal static class EcdsaP256
{
    private const int SignatureBytes = 64;

    public static string KeyIdOf(ReadOnlySpan<byte> subjectPublicKeyInfo) => Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo));

    public static byte[] Sign(ECDsa key, ReadOnlySpan<byte> data) =>
        key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>
    /// Verifies a signature. Wrong lengths, r or s out of [1, n-1] and keys not on P-256 are rejected (checked against
    /// Wycheproof ecdsa_secp256r1_sha256_p1363).
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> subjectPublicKeyInfo, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureBytes && VerifyAs(subjectPublicKeyInfo, data, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>
    /// Verifies an ASN.1 DER <c>SEQUENCE { r, s }</c> signature (RFC 3279 §2.2.3), the encoding OpenSSL and Python's
    /// cryptography produce: OpenSSF model-signing bundles carry it. Same key checks as <see cref="Verify"/>.
    /// </summary>
    /// <remarks>
    /// The encoding is parsed here, strictly (X.690 §10 DER), instead of by the platform: .NET accepts an INTEGER whose
    /// sign bit is set (a "missing zero", which Wycheproof marks invalid), giving one signature two accepted encodings.
    /// Only the single canonical encoding verifies: short-form lengths, minimal non-negative integers, nothing trailing.
    /// </remarks>
    public static bool VerifyDer(ReadOnlySpan<byte> subjectPublicKeyInfo, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        Span<byte> p1363 = stackalloc byte[SignatureBytes];
        return TryDerToP1363(signature, p1363) && VerifyAs(subjectPublicKeyInfo, data, p1363, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    private static bool TryDerToP1363(ReadOnlySpan<byte> der, Span<byte> p1363)
    {
        // SEQUENCE with a short-form length covering exactly the rest (at most 2 × 35 content bytes, so never long form).
        if (der.Length is < 8 or > 72 || der[0] != 0x30 || der[1] != der.Length - 2)
        {
            return false;
        }

        var rest = der[2..];
        return TryReadInteger(ref rest, p1363[..32]) && TryReadInteger(ref rest, p1363[32..]) && rest.IsEmpty;
    }

    private static bool TryReadInteger(ref ReadOnlySpan<byte> input, Span<byte> fixedField)
    {
        if (input.Length < 3 || input[0] != 0x02 || input[1] is 0 or >= 0x80 || input[1] > input.Length - 2)
        {
            return false;
        }

        var value = input.Slice(2, input[1]);
        input = input[(2 + value.Length)..];
        if ((value[0] & 0x80) != 0 || (value.Length > 1 && value[0] == 0 && (value[1] & 0x80) == 0))
        {
            return false; // negative, or a redundant leading zero
        }

        if (value[0] == 0)
        {
            value = value[1..];
        }

        if (value.Length > fixedField.Length)
        {
            return false;
        }

        fixedField.Clear();
        value.CopyTo(fixedField[(fixedField.Length - value.Length)..]);
        return true;
    }

    private static bool VerifyAs(ReadOnlySpan<byte> subjectPublicKeyInfo, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, DSASignatureFormat format)
    {
        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
            var parameters = key.ExportParameters(false);
            if (key.KeySize != 256 || parameters.Curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                return false;
            }

            return key.VerifyData(data, signature, HashAlgorithmName.SHA256, format);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Reads a PEM "PUBLIC KEY" and returns its SubjectPublicKeyInfo; false when it is not a P-256 public key.</summary>
    public static bool TryReadPublicKeyPem(string pem, out byte[] subjectPublicKeyInfo)
    {
        subjectPublicKeyInfo = [];
        try
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(pem);
            if (key.KeySize != 256)
            {
                return false;
            }

            subjectPublicKeyInfo = key.ExportSubjectPublicKeyInfo();
            return true;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            return false;
        }
    }

    public static string PublicKeyPem(ReadOnlySpan<byte> subjectPublicKeyInfo) => PemEncoding.WriteString("PUBLIC KEY", subjectPublicKeyInfo);
}

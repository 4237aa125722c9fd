using System.Security.Cryptography;

namespace Bulwark.Core.Registry;

/// <summary>
/// Reads the one public key a verifier is told to trust: exactly one PEM block labelled "PUBLIC KEY" (X.509
/// SubjectPublicKeyInfo) on curve P-256. A private key, a certificate, another curve or several keys in one entry are
/// refused, so a misplaced file is a clear error rather than a key trusted by accident.
/// </summary>
internal static class SignerKey
{
    public static bool TryRead(string pem, out byte[] subjectPublicKeyInfo, out string error)
    {
        subjectPublicKeyInfo = [];
        if (!PemEncoding.TryFind(pem, out var fields))
        {
            error = "no PEM block found";
            return false;
        }

        var label = pem.AsSpan()[fields.Label].ToString();
        if (label != "PUBLIC KEY")
        {
            error = $"the PEM block is a \"{label}\", not a \"PUBLIC KEY\"";
            return false;
        }

        if (PemEncoding.TryFind(pem.AsSpan(fields.Location.End.GetOffset(pem.Length)), out _))
        {
            error = "more than one PEM block; give one key per entry";
            return false;
        }

        try
        {
            var der = Convert.FromBase64String(pem.AsSpan()[fields.Base64Data].ToString());
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(der, out var read);
            if (read != der.Length || key.ExportParameters(false).Curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                error = "not an ECDSA P-256 public key";
                return false;
            }

            subjectPublicKeyInfo = key.ExportSubjectPublicKeyInfo();
            error = "";
            return true;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            error = "not an ECDSA P-256 public key";
            return false;
        }
    }
}

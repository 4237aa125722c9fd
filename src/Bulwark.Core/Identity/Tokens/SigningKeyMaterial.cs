using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Core.Identity.Tokens;

/// <summary>
/// One ECDSA P-256 signing key as persisted (the caller encrypts <paramref name="Pkcs8PrivateKey"/> at rest).
/// <paramref name="RetiredAt"/> set means the key no longer signs; it is still trusted for an overlap window so tokens it
/// signed can live out their lifetime.
/// </summary>
internal sealed record SigningKeyMaterial(string KeyId, byte[] Pkcs8PrivateKey, DateTimeOffset CreatedAt, DateTimeOffset? RetiredAt)
{
    /// <summary>A new P-256 key whose id is derived from its public key (RFC 7638), so ids never collide by accident.</summary>
    public static SigningKeyMaterial Generate(TimeProvider time)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new SigningKeyMaterial(KeyIdOf(ecdsa.ExportParameters(false)), ecdsa.ExportPkcs8PrivateKey(), time.GetUtcNow(), null);
    }

    /// <summary>Base64url of the first 16 bytes of the RFC 7638 JWK thumbprint (SHA-256) of the public key.</summary>
    public static string KeyIdOf(ECParameters publicKey)
    {
        // RFC 7638 §3.2: required members only, lexicographic order, no whitespace.
        var canonical = string.Concat(
            "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"", Base64Url.EncodeToString(publicKey.Q.X),
            "\",\"y\":\"", Base64Url.EncodeToString(publicKey.Q.Y), "\"}");
        var thumbprint = SHA256.HashData(Encoding.UTF8.GetBytes(canonical));
        return Base64Url.EncodeToString(thumbprint.AsSpan(0, 16));
    }
}

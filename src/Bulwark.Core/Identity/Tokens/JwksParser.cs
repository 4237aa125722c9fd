using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Bulwark.Core.Identity.Tokens;

/// <summary>
/// Turns an RFC 7517 JWK Set into verification keys, keeping only asymmetric signature keys with a <c>kid</c>.
/// Private members, if a careless provider publishes them, are never read.
/// </summary>
internal static class JwksParser
{
    // RFC 7518 §3.3: RSA keys of at least 2048 bits.
    private const int MinimumRsaBits = 2048;

    /// <summary>The keys by <c>kid</c>, or null when the document is not a JWK Set at all.</summary>
    public static Dictionary<string, SecurityKey>? Parse(ReadOnlySpan<byte> json)
    {
        var keys = new Dictionary<string, SecurityKey>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("keys", out var array)
                || array.ValueKind != JsonValueKind.Array)
                return null;

            foreach (var jwk in array.EnumerateArray())
            {
                if (jwk.ValueKind != JsonValueKind.Object || GetString(jwk, "kid") is not { Length: > 0 } kid)
                    continue; // a key without kid could only be used by trying every key, which we never do
                if (GetString(jwk, "use") is { } use && use != "sig")
                    continue;
                if (GetString(jwk, "alg") is { } alg && !ExternalIssuerOptions.AsymmetricAlgorithms.Contains(alg))
                    continue;
                // RFC 8725 §3.1: only RSA and EC keys; "oct" (shared secret) and anything else is ignored.
                var key = GetString(jwk, "kty") switch
                {
                    "RSA" => (SecurityKey?)ReadRsa(jwk),
                    "EC" => ReadEc(jwk),
                    _ => null,
                };
                if (key is null)
                    continue;
                key.KeyId = kid;
                // The first key with an id wins; a later duplicate cannot shadow it.
                keys.TryAdd(kid, key);
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return keys;
    }

    private static RsaSecurityKey? ReadRsa(JsonElement jwk)
    {
        if (Decode(jwk, "n") is not { } modulus || Decode(jwk, "e") is not { } exponent)
            return null;
        if (modulus.Length * 8 < MinimumRsaBits)
            return null;
        try
        {
            var rsa = RSA.Create();
            rsa.ImportParameters(new RSAParameters { Modulus = modulus, Exponent = exponent });
            return new RsaSecurityKey(rsa);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static ECDsaSecurityKey? ReadEc(JsonElement jwk)
    {
        var curve = GetString(jwk, "crv") switch
        {
            "P-256" => ECCurve.NamedCurves.nistP256,
            "P-384" => ECCurve.NamedCurves.nistP384,
            "P-521" => ECCurve.NamedCurves.nistP521,
            _ => (ECCurve?)null,
        };
        if (curve is null || Decode(jwk, "x") is not { } x || Decode(jwk, "y") is not { } y)
            return null;
        try
        {
            // ImportParameters checks the point lies on the curve (invalid-curve attacks).
            return new ECDsaSecurityKey(ECDsa.Create(new ECParameters { Curve = curve.Value, Q = new ECPoint { X = x, Y = y } }));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[]? Decode(JsonElement element, string name)
    {
        if (GetString(element, name) is not { Length: > 0 } text)
            return null;
        var buffer = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        return Base64Url.TryDecodeFromChars(text, buffer, out var written) ? buffer[..written] : null;
    }
}

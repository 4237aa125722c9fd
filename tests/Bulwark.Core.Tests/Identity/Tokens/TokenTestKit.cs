using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Identity.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Core.Tests.Identity.Tokens;

/// <summary>Our issuer on a fake clock, plus hand-made JWS compact tokens (segments built here, not by the handler).</summary>
internal sealed class TokenTestKit
{
    public const string Issuer = "https://bulwark.test";
    public const string Audience = "bulwark-api";

    public TokenTestKit(params ExternalIssuerOptions[] externalIssuers)
    {
        Options = new TokenOptions { Issuer = Issuer, Audience = Audience };
        Options.ExternalIssuers.AddRange(externalIssuers);
        Key = SigningKeyMaterial.Generate(Time);
        Keys = new SigningKeySet([Key], Options.KeyOverlap, Time);
        TokenIssuer = new AccessTokenIssuer(Options, Time);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero));

    public TokenOptions Options { get; }

    public SigningKeyMaterial Key { get; }

    public SigningKeySet Keys { get; set; }

    public AccessTokenIssuer TokenIssuer { get; }

    public long Now => Time.GetUtcNow().ToUnixTimeSeconds();

    public static AccessTokenClaims UserClaims => new("user-42", "web", ["pwd", "otp"], null, ["models:read", "predict"], "family-1");

    public AccessTokenValidator Validator(
        IReadOnlyDictionary<string, IJwksSource>? external = null, ValidatedTokenCache? cache = null) =>
        new(Options, Time, () => Keys, external ?? new Dictionary<string, IJwksSource>(), cache);

    public string Issue() => TokenIssuer.Issue(Keys, UserClaims).Token;

    public ECDsa OwnPrivateKey()
    {
        var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(Key.Pkcs8PrivateKey, out _);
        return ecdsa;
    }

    /// <summary>A header our issuer would write.</summary>
    public Dictionary<string, object?> OwnHeader() => new() { ["alg"] = "ES256", ["typ"] = "at+jwt", ["kid"] = Key.KeyId };

    /// <summary>A payload our issuer would write, valid now.</summary>
    public Dictionary<string, object?> OwnPayload() => new()
    {
        ["iss"] = Issuer,
        ["aud"] = Audience,
        ["sub"] = "user-42",
        ["iat"] = Now,
        ["nbf"] = Now,
        ["exp"] = Now + 600,
        ["jti"] = "hand-made",
    };

    /// <summary>Header and payload signed with our real private key: only the claim under test is wrong.</summary>
    public string SignOwn(Dictionary<string, object?> header, Dictionary<string, object?> payload)
    {
        using var key = OwnPrivateKey();
        return SignEs(header, payload, key);
    }

    public static string Segment(object value) =>
        Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(value));

    public static string Unsigned(object header, object payload) => $"{Segment(header)}.{Segment(payload)}";

    public static string SignEs(object header, object payload, ECDsa key)
    {
        var input = Unsigned(header, payload);
        var signature = key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{input}.{Base64Url.EncodeToString(signature)}";
    }

    public static string SignRs(object header, object payload, RSA key)
    {
        var input = Unsigned(header, payload);
        var signature = key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{input}.{Base64Url.EncodeToString(signature)}";
    }

    public static string SignHs(object header, object payload, byte[] secret)
    {
        var input = Unsigned(header, payload);
        return $"{input}.{Base64Url.EncodeToString(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)))}";
    }

    public static string RsaJwk(RSA rsa, string kid)
    {
        var p = rsa.ExportParameters(false);
        return $$"""{"kty":"RSA","kid":"{{kid}}","use":"sig","alg":"RS256","n":"{{Base64Url.EncodeToString(p.Modulus)}}","e":"{{Base64Url.EncodeToString(p.Exponent)}}"}""";
    }

    public static string EcJwk(ECDsa ecdsa, string kid)
    {
        var p = ecdsa.ExportParameters(false);
        return $$"""{"kty":"EC","kid":"{{kid}}","crv":"P-256","x":"{{Base64Url.EncodeToString(p.Q.X)}}","y":"{{Base64Url.EncodeToString(p.Q.Y)}}"}""";
    }
}

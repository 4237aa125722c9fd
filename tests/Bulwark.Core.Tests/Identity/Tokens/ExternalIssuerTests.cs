using System.Security.Cryptography;
using Bulwark.Core.Identity.Tokens;

namespace Bulwark.Core.Tests.Identity.Tokens;

public sealed class ExternalIssuerTests : IDisposable
{
    private const string ExternalIssuer = "https://idp.example";
    private readonly string _dir = Directory.CreateTempSubdirectory("bulwark-jwks-").FullName;
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly ECDsa _ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly TokenTestKit _kit;
    private readonly string _jwksPath;

    public ExternalIssuerTests()
    {
        _jwksPath = Path.Combine(_dir, "jwks.json");
        File.WriteAllText(_jwksPath, $$"""
            {"keys":[{{TokenTestKit.RsaJwk(_rsa, "rsa-1")}},{{TokenTestKit.EcJwk(_ec, "ec-1")}},
            {"kty":"oct","kid":"oct-1","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}]}
            """);
        _kit = new TokenTestKit(new ExternalIssuerOptions
        {
            Issuer = ExternalIssuer,
            Audience = "bulwark",
            JwksFile = _jwksPath,
            SubjectPrefix = "corp",
            RoleMap = { ["idp-admins"] = "admin", ["idp-analysts"] = "analyst" },
        });
    }

    public void Dispose()
    {
        _rsa.Dispose();
        _ec.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private AccessTokenValidator Validator() =>
        _kit.Validator(new Dictionary<string, IJwksSource> { [ExternalIssuer] = new FileJwksSource(_jwksPath) });

    private static Dictionary<string, object?> Header(string alg, string kid) => new() { ["alg"] = alg, ["typ"] = "JWT", ["kid"] = kid };

    private Dictionary<string, object?> Payload() => new()
    {
        ["iss"] = ExternalIssuer,
        ["aud"] = "bulwark",
        ["sub"] = "alice",
        ["iat"] = _kit.Now,
        ["exp"] = _kit.Now + 300,
        ["roles"] = new[] { "idp-admins", "idp-unknown", "admin" },
        ["projects"] = new[] { "fraud", "churn" },
        ["scp"] = "models:read",
        ["azp"] = "portal",
    };

    [Fact]
    public void Validate_RsaSignedExternalToken_PrefixesSubjectAndMapsRoles()
    {
        var result = Validator().Validate(TokenTestKit.SignRs(Header("RS256", "rsa-1"), Payload(), _rsa));

        var token = Assert.IsType<ValidatedToken>(result.Token);
        Assert.True(token.IsExternal);
        Assert.Equal("ext:corp:alice", token.Subject);
        // "admin" sent verbatim by the provider is not a mapped value: only RoleMap keys grant roles.
        Assert.Equal(["admin"], token.Roles);
        Assert.Equal(["fraud", "churn"], token.Projects);
        Assert.Equal(["models:read"], token.Scopes);
        Assert.Equal("portal", token.ClientId);
    }

    [Fact]
    public void Validate_ExternalSubjectLookingLikeLocalUser_StillPrefixed()
    {
        var payload = Payload();
        payload["sub"] = "user-42";

        var token = Validator().Validate(TokenTestKit.SignRs(Header("RS256", "rsa-1"), payload, _rsa)).Token;

        Assert.Equal("ext:corp:user-42", token?.Subject);
    }

    [Fact]
    public void Validate_HS256WithOctKeyFromJwks_Refused()
    {
        var secret = Convert.FromBase64String("c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0");

        var result = Validator().Validate(TokenTestKit.SignHs(Header("HS256", "oct-1"), Payload(), secret));

        Assert.Equal(TokenFailureCodes.AlgorithmNotAllowed, result.FailureCode);
        Assert.False(new FileJwksSource(_jwksPath).TryGetKey("oct-1", out _));
    }

    [Fact]
    public void Validate_ExternalIssuerWithOurKid_Refused()
    {
        // Issuer-bound keys: our key cannot vouch for the external issuer's claims.
        using var ours = _kit.OwnPrivateKey();
        var result = Validator().Validate(TokenTestKit.SignEs(Header("ES256", _kit.Key.KeyId), Payload(), ours));

        Assert.Equal(TokenFailureCodes.KeyUnknown, result.FailureCode);
    }

    [Fact]
    public void Validate_OwnIssuerWithExternalKid_Refused()
    {
        var header = _kit.OwnHeader();
        header["kid"] = "ec-1";

        var result = Validator().Validate(TokenTestKit.SignEs(header, _kit.OwnPayload(), _ec));

        Assert.Equal(TokenFailureCodes.KeyUnknown, result.FailureCode);
    }

    [Fact]
    public void Validate_ExternalWrongAudience_Refused()
    {
        var payload = Payload();
        payload["aud"] = TokenTestKit.Audience;

        Assert.Equal(TokenFailureCodes.AudienceInvalid, Validator().Validate(TokenTestKit.SignRs(Header("RS256", "rsa-1"), payload, _rsa)).FailureCode);
    }

    [Fact]
    public void Validate_RequireTyp_RefusesMissingTyp()
    {
        _kit.Options.ExternalIssuers[0].RequireTyp = true;
        var header = Header("RS256", "rsa-1");
        header.Remove("typ");

        Assert.Equal(TokenFailureCodes.TypeInvalid, Validator().Validate(TokenTestKit.SignRs(header, Payload(), _rsa)).FailureCode);
        Assert.Null(Validator().Validate(TokenTestKit.SignRs(Header("RS256", "rsa-1"), Payload(), _rsa)).FailureCode);
    }

    [Fact]
    public void FileJwksSource_FileChanged_ReloadsKeys()
    {
        var source = new FileJwksSource(_jwksPath);
        Assert.True(source.TryGetKey("rsa-1", out _));
        using var rotated = RSA.Create(2048);

        File.WriteAllText(_jwksPath, $$"""{"keys":[{{TokenTestKit.RsaJwk(rotated, "rsa-2")}}]}""");
        File.SetLastWriteTimeUtc(_jwksPath, File.GetLastWriteTimeUtc(_jwksPath).AddMinutes(1));

        Assert.True(source.TryGetKey("rsa-2", out _));
        Assert.False(source.TryGetKey("rsa-1", out _));
    }

    [Fact]
    public void FileJwksSource_BrokenFile_KeepsLastGoodKeys()
    {
        var source = new FileJwksSource(_jwksPath);
        Assert.True(source.TryGetKey("rsa-1", out _));

        File.WriteAllText(_jwksPath, "{ not json");
        File.SetLastWriteTimeUtc(_jwksPath, File.GetLastWriteTimeUtc(_jwksPath).AddMinutes(1));

        Assert.True(source.TryGetKey("rsa-1", out _));
    }

    [Fact]
    public void JwksParser_WeakRsaAndEncryptionKeys_Ignored()
    {
        using var weak = RSA.Create(1024);
        var json = $$"""{"keys":[{{TokenTestKit.RsaJwk(weak, "weak")}},{{TokenTestKit.EcJwk(_ec, "enc").Replace("\"kty\"", "\"use\":\"enc\",\"kty\"", StringComparison.Ordinal)}}]}""";

        Assert.Empty(JwksParser.Parse(System.Text.Encoding.UTF8.GetBytes(json))!);
    }
}

using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Bulwark.Core.Identity.Tokens;

namespace Bulwark.Core.Tests.Identity.Tokens;

/// <summary>RFC 8725 attacks, each token crafted segment by segment.</summary>
public sealed class AccessTokenAttackTests
{
    private readonly TokenTestKit _kit = new();

    private string? Validate(string token) => _kit.Validator().Validate(token).FailureCode;

    [Fact]
    public void Validate_HandCraftedWellFormedToken_Accepted()
    {
        // The control: the hand-made builder produces acceptable tokens, so each refusal below is due to its one flaw.
        Assert.Null(Validate(_kit.SignOwn(_kit.OwnHeader(), _kit.OwnPayload())));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("NONE")]
    [InlineData("nOnE")]
    public void Validate_AlgNone_Refused(string alg)
    {
        var header = _kit.OwnHeader();
        header["alg"] = alg;

        Assert.Equal(TokenFailureCodes.AlgorithmNotAllowed, Validate(TokenTestKit.Unsigned(header, _kit.OwnPayload()) + "."));
    }

    [Fact]
    public void Validate_HS256SignedWithPublicKey_Refused()
    {
        // Key confusion: the attacker HMACs with bytes anyone can fetch from the JWKS.
        using var key = _kit.OwnPrivateKey();
        var header = _kit.OwnHeader();
        header["alg"] = "HS256";
        var secrets = new[]
        {
            key.ExportSubjectPublicKeyInfo(),
            Encoding.UTF8.GetBytes(key.ExportSubjectPublicKeyInfoPem()),
            Encoding.UTF8.GetBytes(_kit.Keys.JwksJson()),
        };

        foreach (var secret in secrets)
            Assert.Equal(TokenFailureCodes.AlgorithmNotAllowed, Validate(TokenTestKit.SignHs(header, _kit.OwnPayload(), secret)));
    }

    [Theory]
    [InlineData("ES384")]
    [InlineData("RS256")]
    [InlineData("PS256")]
    [InlineData("es256")]
    public void Validate_OtherAlgorithmForOwnIssuer_Refused(string alg)
    {
        var header = _kit.OwnHeader();
        header["alg"] = alg;

        Assert.Equal(TokenFailureCodes.AlgorithmNotAllowed, Validate(_kit.SignOwn(header, _kit.OwnPayload())));
    }

    [Fact]
    public void Validate_AlgMissing_Refused()
    {
        var header = _kit.OwnHeader();
        header.Remove("alg");

        Assert.Equal(TokenFailureCodes.AlgorithmNotAllowed, Validate(_kit.SignOwn(header, _kit.OwnPayload())));
    }

    [Fact]
    public void Validate_SignatureStripped_Refused()
    {
        var token = _kit.SignOwn(_kit.OwnHeader(), _kit.OwnPayload());

        Assert.Equal(TokenFailureCodes.SignatureInvalid, Validate(token[..(token.LastIndexOf('.') + 1)]));
    }

    [Fact]
    public void Validate_AllZeroSignature_Refused()
    {
        var token = $"{TokenTestKit.Unsigned(_kit.OwnHeader(), _kit.OwnPayload())}.{Base64Url.EncodeToString(new byte[64])}";

        Assert.Equal(TokenFailureCodes.SignatureInvalid, Validate(token));
    }

    [Fact]
    public void Validate_TamperedPayload_Refused()
    {
        var genuine = _kit.Issue().Split('.');
        var payload = _kit.OwnPayload();
        payload["sub"] = "admin";

        Assert.Equal(TokenFailureCodes.SignatureInvalid, Validate($"{genuine[0]}.{TokenTestKit.Segment(payload)}.{genuine[2]}"));
    }

    [Fact]
    public void Validate_SignatureFromAnotherToken_Refused()
    {
        var a = _kit.Issue().Split('.');
        var b = _kit.Issue().Split('.');

        Assert.Equal(TokenFailureCodes.SignatureInvalid, Validate($"{a[0]}.{a[1]}.{b[2]}"));
    }

    [Fact]
    public void Validate_ExpMissing_Refused()
    {
        var payload = _kit.OwnPayload();
        payload.Remove("exp");

        Assert.Equal(TokenFailureCodes.LifetimeMissing, Validate(_kit.SignOwn(_kit.OwnHeader(), payload)));
    }

    [Fact]
    public void Validate_ExpNotANumber_Refused()
    {
        var payload = _kit.OwnPayload();
        payload["exp"] = "never";

        Assert.NotNull(Validate(_kit.SignOwn(_kit.OwnHeader(), payload)));
    }

    [Theory]
    [InlineData(-31, TokenFailureCodes.Expired)]
    [InlineData(-3600, TokenFailureCodes.Expired)]
    [InlineData(-29, null)]
    public void Validate_ExpInThePast_RefusedBeyondSkewOnly(int secondsFromNow, string? expected)
    {
        var payload = _kit.OwnPayload();
        payload["iat"] = _kit.Now - 4000;
        payload["nbf"] = _kit.Now - 4000;
        payload["exp"] = _kit.Now + secondsFromNow;

        Assert.Equal(expected, Validate(_kit.SignOwn(_kit.OwnHeader(), payload)));
    }

    [Fact]
    public void Validate_NbfInTheFuture_Refused()
    {
        var payload = _kit.OwnPayload();
        payload["nbf"] = _kit.Now + 120;

        Assert.Equal(TokenFailureCodes.NotYetValid, Validate(_kit.SignOwn(_kit.OwnHeader(), payload)));
    }

    [Fact]
    public void Validate_IatFarInTheFuture_Refused()
    {
        var payload = _kit.OwnPayload();
        payload["iat"] = _kit.Now + 86_400;

        Assert.Equal(TokenFailureCodes.NotYetValid, Validate(_kit.SignOwn(_kit.OwnHeader(), payload)));
    }

    [Theory]
    [InlineData("https://attacker.example")]
    [InlineData("https://bulwark.test/")]
    [InlineData("HTTPS://BULWARK.TEST")]
    public void Validate_WrongIssuer_Refused(string issuer)
    {
        var payload = _kit.OwnPayload();
        payload["iss"] = issuer;

        Assert.Equal(TokenFailureCodes.IssuerInvalid, Validate(_kit.SignOwn(_kit.OwnHeader(), payload)));
    }

    [Fact]
    public void Validate_IssuerMissing_Refused()
    {
        var payload = _kit.OwnPayload();
        payload.Remove("iss");

        Assert.Equal(TokenFailureCodes.IssuerInvalid, Validate(_kit.SignOwn(_kit.OwnHeader(), payload)));
    }

    [Fact]
    public void Validate_WrongAudience_Refused()
    {
        var payload = _kit.OwnPayload();
        payload["aud"] = "other-api";

        Assert.Equal(TokenFailureCodes.AudienceInvalid, Validate(_kit.SignOwn(_kit.OwnHeader(), payload)));
    }

    [Fact]
    public void Validate_AudienceMissing_Refused()
    {
        var payload = _kit.OwnPayload();
        payload.Remove("aud");

        Assert.Equal(TokenFailureCodes.AudienceInvalid, Validate(_kit.SignOwn(_kit.OwnHeader(), payload)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("JWT")]
    [InlineData("id_token+jwt")]
    [InlineData("at+jwt2")]
    public void Validate_WrongTyp_Refused(string? typ)
    {
        var header = _kit.OwnHeader();
        if (typ is null)
            header.Remove("typ");
        else
            header["typ"] = typ;

        Assert.Equal(TokenFailureCodes.TypeInvalid, Validate(_kit.SignOwn(header, _kit.OwnPayload())));
    }

    [Theory]
    [InlineData("AT+JWT")]
    [InlineData("application/at+jwt")]
    [InlineData("Application/AT+JWT")]
    public void Validate_TypVariants_Accepted(string typ)
    {
        var header = _kit.OwnHeader();
        header["typ"] = typ;

        Assert.Null(Validate(_kit.SignOwn(header, _kit.OwnPayload())));
    }

    [Fact]
    public void Validate_CritHeader_Refused()
    {
        var header = _kit.OwnHeader();
        header["crit"] = new[] { "exp" };
        header["exp"] = 1;

        Assert.Equal(TokenFailureCodes.CritUnsupported, Validate(_kit.SignOwn(header, _kit.OwnPayload())));
    }

    [Fact]
    public void Validate_AttackerKeyEmbeddedInJwkHeader_Refused()
    {
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var header = _kit.OwnHeader();
        header["jwk"] = System.Text.Json.JsonDocument.Parse(TokenTestKit.EcJwk(attacker, "attacker")).RootElement;

        header["kid"] = "attacker";
        Assert.Equal(TokenFailureCodes.KeyUnknown, Validate(TokenTestKit.SignEs(header, _kit.OwnPayload(), attacker)));

        header["kid"] = _kit.Key.KeyId;
        Assert.Equal(TokenFailureCodes.SignatureInvalid, Validate(TokenTestKit.SignEs(header, _kit.OwnPayload(), attacker)));
    }

    [Fact]
    public void Validate_AttackerCertificateInX5c_Refused()
    {
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = new CertificateRequest("CN=bulwark.test", attacker, HashAlgorithmName.SHA256)
            .CreateSelfSigned(_kit.Time.GetUtcNow().AddDays(-1), _kit.Time.GetUtcNow().AddDays(1));
        var header = _kit.OwnHeader();
        header["x5c"] = new[] { Convert.ToBase64String(cert.RawData) };

        Assert.Equal(TokenFailureCodes.SignatureInvalid, Validate(TokenTestKit.SignEs(header, _kit.OwnPayload(), attacker)));
    }

    [Fact]
    public void Validate_JkuAndX5uHeaders_CauseNoConnection()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = $"https://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/jwks";
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var header = _kit.OwnHeader();
        header["jku"] = url;
        header["x5u"] = url;

        var withOurKid = Validate(TokenTestKit.SignEs(header, _kit.OwnPayload(), attacker));
        header["kid"] = "from-jku";
        var withUnknownKid = Validate(TokenTestKit.SignEs(header, _kit.OwnPayload(), attacker));

        Assert.Equal(TokenFailureCodes.SignatureInvalid, withOurKid);
        Assert.Equal(TokenFailureCodes.KeyUnknown, withUnknownKid);
        Assert.False(listener.Pending(), "validation opened a connection to the jku/x5u URL");
    }

    [Fact]
    public void Validate_JkuHeaderWithGenuineSignature_IsIgnoredNotHonoured()
    {
        // jku is ignored, not a reason to refuse: the key still comes from our set only.
        var header = _kit.OwnHeader();
        header["jku"] = "https://attacker.example/jwks";

        Assert.Null(Validate(_kit.SignOwn(header, _kit.OwnPayload())));
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("../../etc/passwd")]
    [InlineData("' OR 1=1 --")]
    [InlineData("")]
    public void Validate_UnknownKid_RefusedWithoutTryingOtherKeys(string kid)
    {
        var header = _kit.OwnHeader();
        header["kid"] = kid;

        // Signed with the real key: trying all keys would accept it.
        Assert.Equal(TokenFailureCodes.KeyUnknown, Validate(_kit.SignOwn(header, _kit.OwnPayload())));
    }

    [Fact]
    public void Validate_KidMissing_Refused()
    {
        var header = _kit.OwnHeader();
        header.Remove("kid");

        Assert.Equal(TokenFailureCodes.KeyUnknown, Validate(_kit.SignOwn(header, _kit.OwnPayload())));
    }

    [Fact]
    public void Validate_OversizedToken_RefusedBeforeParsing()
    {
        var payload = _kit.OwnPayload();
        payload["pad"] = new string('a', AccessTokenValidator.MaxTokenLength);

        Assert.Equal(TokenFailureCodes.TooLarge, Validate(_kit.SignOwn(_kit.OwnHeader(), payload)));
        Assert.Equal(TokenFailureCodes.TooLarge, Validate(new string('.', AccessTokenValidator.MaxTokenLength + 1)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("..")]
    [InlineData("a.b.c.d.e")]
    [InlineData("!!!.@@@.###")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9.eyJ.")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9.W10.")]
    [InlineData("W10.e30.")]
    [InlineData("bnVsbA.e30.")]
    public void Validate_Malformed_RefusedWithoutThrowing(string token)
    {
        Assert.Equal(TokenFailureCodes.Malformed, Validate(token));
    }

    [Fact]
    public void Validate_JweFiveSegments_Refused()
    {
        var header = TokenTestKit.Segment(new { alg = "RSA-OAEP", enc = "A256GCM", kid = _kit.Key.KeyId });
        Assert.Equal(TokenFailureCodes.Malformed, Validate($"{header}.AAAA.AAAA.AAAA.AAAA"));
    }

    [Fact]
    public void Validate_DuplicateHeaderMembers_Refused()
    {
        // Two parsers could disagree on which alg was meant; refuse the ambiguity.
        var header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"alg":"ES256","alg":"none","typ":"at+jwt","kid":"{{_kit.Key.KeyId}}"}"""));
        var genuine = _kit.SignOwn(_kit.OwnHeader(), _kit.OwnPayload()).Split('.');

        Assert.Equal(TokenFailureCodes.Malformed, Validate($"{header}.{genuine[1]}.{genuine[2]}"));
    }

    [Fact]
    public void Validate_SubjectMissing_Refused()
    {
        var payload = _kit.OwnPayload();
        payload.Remove("sub");

        Assert.Equal(TokenFailureCodes.Malformed, Validate(_kit.SignOwn(_kit.OwnHeader(), payload)));
    }
}

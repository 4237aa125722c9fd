using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Bulwark.Client.Contracts;
using Bulwark.Core.Identity;
using Bulwark.Core.Identity.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bulwark.Server.Tests.Identity;

/// <summary>
/// RFC 8725 attacks against the real HTTPS pipeline. Every token is built by hand; the control case signs the same
/// claims with the server's real key and is accepted, so each refusal is caused by the one thing the attack changed.
/// </summary>
public sealed class JwtAttackTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private string _subject = "";
    private string _issuer = "";
    private string _audience = "";
    private ECDsa _key = null!;
    private string _kid = "";

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        await Users.CreateAsync(_server, "target", [new RoleGrant("default", "auditor")]);
        var tokens = await Users.LoginAsync(_server, "target");
        using var client = Users.Bearer(_server, tokens.AccessToken);
        _subject = (await client.GetFromJsonAsync<WhoAmI>("/api/v1/auth/me"))!.Id;
        var options = _server.App.Services.GetRequiredService<IOptions<TokenOptions>>().Value;
        _issuer = options.Issuer;
        _audience = options.Audience;
        var active = _server.App.Services.GetRequiredService<SigningKeyStore>().Current.Active!;
        _kid = active.KeyId;
        _key = ECDsa.Create();
        _key.ImportPkcs8PrivateKey(active.Pkcs8PrivateKey, out _);
    }

    public async Task DisposeAsync()
    {
        _key.Dispose();
        await _server.DisposeAsync();
    }

    private JsonObject Header(string alg = "ES256") => new() { ["alg"] = alg, ["typ"] = "at+jwt", ["kid"] = _kid };

    private JsonObject Payload()
    {
        var now = _server.Time.GetUtcNow().ToUnixTimeSeconds();
        return new JsonObject
        {
            ["iss"] = _issuer,
            ["aud"] = _audience,
            ["sub"] = _subject,
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + 300,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["amr"] = new JsonArray("pwd"),
        };
    }

    private static string B64(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string B64(JsonObject json) => B64(Encoding.UTF8.GetBytes(json.ToJsonString()));

    private static string Sign(JsonObject header, JsonObject payload, ECDsa key)
    {
        var input = B64(header) + "." + B64(payload);
        return input + "." + B64(key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256));
    }

    private async Task<HttpStatusCode> SendAsync(string token)
    {
        using var client = _server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await client.GetAsync("/api/v1/datasets")).StatusCode;
    }

    [Fact]
    public async Task Control_SameBuilderWithTheRealKey_IsAccepted() =>
        Assert.Equal(HttpStatusCode.OK, await SendAsync(Sign(Header(), Payload(), _key)));

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("NONE")]
    [InlineData("nOnE")]
    public async Task AlgNone_AnyCasing_401(string alg)
    {
        var header = Header(alg);
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(B64(header) + "." + B64(Payload()) + "."));
    }

    [Fact]
    public async Task Hs256SignedWithThePublicKey_401()
    {
        // The classic key confusion: a verifier that feeds "the key" to HMAC would accept this.
        var publicKey = _key.ExportSubjectPublicKeyInfo();
        var input = B64(Header("HS256")) + "." + B64(Payload());
        var token = input + "." + B64(HMACSHA256.HashData(publicKey, Encoding.ASCII.GetBytes(input)));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(token));

        var jwksBytes = Encoding.UTF8.GetBytes(await _server.CreateClient().GetStringAsync("/.well-known/jwks.json"));
        var viaJwks = input + "." + B64(HMACSHA256.HashData(jwksBytes, Encoding.ASCII.GetBytes(input)));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(viaJwks));
    }

    [Fact]
    public async Task Expired_401()
    {
        var payload = Payload();
        var now = _server.Time.GetUtcNow().ToUnixTimeSeconds();
        payload["iat"] = now - 1200;
        payload["nbf"] = now - 1200;
        payload["exp"] = now - 120;
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(Sign(Header(), payload, _key)));
    }

    [Fact]
    public async Task NotYetValid_401()
    {
        var payload = Payload();
        payload["nbf"] = _server.Time.GetUtcNow().ToUnixTimeSeconds() + 600;
        payload["exp"] = _server.Time.GetUtcNow().ToUnixTimeSeconds() + 900;
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(Sign(Header(), payload, _key)));
    }

    [Theory]
    [InlineData("aud", "someone-else")]
    [InlineData("iss", "https://evil.example/")]
    public async Task WrongAudienceOrIssuer_401(string claim, string value)
    {
        var payload = Payload();
        payload[claim] = value;
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(Sign(Header(), payload, _key)));
    }

    [Fact]
    public async Task NoExp_401()
    {
        var payload = Payload();
        payload.Remove("exp");
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(Sign(Header(), payload, _key)));
    }

    [Fact]
    public async Task KeyWeDoNotTrust_EvenUnderOurKid_401()
    {
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(Sign(Header(), Payload(), attacker)));
        var header = Header();
        header["kid"] = "attacker-key";
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(Sign(header, Payload(), attacker)));
    }

    [Fact]
    public async Task EmbeddedJwk_IsIgnored_401()
    {
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = attacker.ExportParameters(false);
        var header = Header();
        header.Remove("kid");
        header["jwk"] = new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = B64(p.Q.X), ["y"] = B64(p.Q.Y) };
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(Sign(header, Payload(), attacker)));
    }

    [Fact]
    public async Task JkuPointingAtLoopback_401AndNoConnectionIsMade()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        foreach (var name in new[] { "jku", "x5u" })
        {
            var header = Header();
            header[name] = $"https://127.0.0.1:{port}/jwks.json";
            header["kid"] = "attacker-key";
            Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(Sign(header, Payload(), attacker)));
        }

        Assert.False(listener.Pending(), "the server connected to the URL in the token header");
    }

    [Theory]
    [InlineData("../../../../etc/passwd")]
    [InlineData("/dev/zero")]
    [InlineData("' OR '1'='1")]
    [InlineData("https://127.0.0.1/key")]
    public async Task KidTraversalOrInjection_401(string kid)
    {
        var header = Header();
        header["kid"] = kid;
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(Sign(header, Payload(), _key)));
    }

    [Fact]
    public async Task TamperedPayload_401()
    {
        var token = Sign(Header(), Payload(), _key);
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Convert.FromBase64String(Pad(parts[1])))!.AsObject();
        payload["sub"] = "user:" + Guid.NewGuid();
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(parts[0] + "." + B64(payload) + "." + parts[2]));
    }

    [Fact]
    public async Task StrippedOrZeroSignature_401()
    {
        var parts = Sign(Header(), Payload(), _key).Split('.');
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(parts[0] + "." + parts[1] + "."));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(parts[0] + "." + parts[1]));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(parts[0] + "." + parts[1] + "." + B64(new byte[64])));
    }

    [Fact]
    public async Task UnknownCrit_401()
    {
        var header = Header();
        header["crit"] = new JsonArray("bulwark-unknown");
        header["bulwark-unknown"] = true;
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(Sign(header, Payload(), _key)));
    }

    [Theory]
    [InlineData("JWT")]
    [InlineData("id_token+jwt")]
    [InlineData(null)]
    public async Task WrongType_401(string? typ)
    {
        var header = Header();
        if (typ is null)
        {
            header.Remove("typ");
        }
        else
        {
            header["typ"] = typ;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(Sign(header, Payload(), _key)));
    }

    [Fact]
    public async Task SubjectOfAnotherKind_401()
    {
        var payload = Payload();
        payload["sub"] = "key:bwk_000000000000";
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(Sign(Header(), payload, _key)));
    }

    [Fact]
    public async Task RevokedToken_401OnTheNextRequest()
    {
        var payload = Payload();
        var token = Sign(Header(), payload, _key);
        Assert.Equal(HttpStatusCode.OK, await SendAsync(token));
        await using (var scope = _server.App.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<RevocationService>().RevokeTokenAsync(payload["jti"]!.GetValue<string>(), _subject, "test", null);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(token));
    }

    private static string Pad(string b64url)
    {
        var s = b64url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - s.Length % 4) % 4);
    }
}

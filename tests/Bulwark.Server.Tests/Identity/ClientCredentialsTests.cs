using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Bulwark.Client.Contracts;
using Bulwark.Server.Authentication;

namespace Bulwark.Server.Tests.Identity;

/// <summary>The OAuth 2.0 client-credentials grant for services: client secrets and private_key_jwt, attacked.</summary>
public sealed class ClientCredentialsTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<CreatedClientInfo> RegisterAsync(string[] scopes, string? publicJwk = null)
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        var response = await admin.PostAsJsonAsync("/api/v1/clients", new CreateClientRequest("scoring-service", scopes, publicJwk));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CreatedClientInfo>())!;
    }

    private async Task<HttpResponseMessage> TokenAsync(IEnumerable<KeyValuePair<string, string>> form, AuthenticationHeaderValue? authorization = null)
    {
        using var client = _server.CreateClient();
        client.DefaultRequestHeaders.Authorization = authorization;
        return await client.PostAsync("/oauth/token", new FormUrlEncodedContent(form));
    }

    private static AuthenticationHeaderValue Basic(string id, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString(id) + ":" + Uri.EscapeDataString(secret))));

    private static readonly KeyValuePair<string, string> Grant = new("grant_type", "client_credentials");

    [Fact]
    public async Task ClientSecret_Basic_TokenCarriesOnlyTheClientsScopesInItsProject()
    {
        var registered = await RegisterAsync(["datasets:read"]);
        Assert.StartsWith("bwc_", registered.ClientSecret, StringComparison.Ordinal);

        var response = await TokenAsync([Grant], Basic(registered.Client.ClientId, registered.ClientSecret!));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var token = (await response.Content.ReadFromJsonAsync<OAuthTokenResponse>())!;
        Assert.Equal("datasets:read", token.Scope);

        using var client = Users.Bearer(_server, token.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/datasets")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/keys")).StatusCode);
        client.DefaultRequestHeaders.Add(ProjectResolutionMiddleware.ProjectHeader, "other");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/datasets")).StatusCode);
    }

    [Fact]
    public async Task WrongSecretAndUnknownClient_SameInvalidClient()
    {
        var registered = await RegisterAsync(["datasets:read"]);
        var wrong = await TokenAsync([Grant, new("client_id", registered.Client.ClientId), new("client_secret", "bwc_wrong")]);
        var unknown = await TokenAsync([Grant, new("client_id", "bwcl_0000000000000000"), new("client_secret", "bwc_wrong")]);

        var a = await ProblemAssert.IsProblemAsync(wrong, HttpStatusCode.Unauthorized, "oauth.invalid-client");
        var b = await ProblemAssert.IsProblemAsync(unknown, HttpStatusCode.Unauthorized, "oauth.invalid-client");
        Assert.Equal("invalid_client", a.GetProperty("error").GetString());
        Assert.Equal(a.GetProperty("detail").GetString(), b.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("password")]
    [InlineData("authorization_code")]
    [InlineData("")]
    public async Task OtherGrants_Refused(string grant)
    {
        var registered = await RegisterAsync(["datasets:read"]);
        var response = await TokenAsync([new("grant_type", grant), new("username", "admin"), new("password", "x")], Basic(registered.Client.ClientId, registered.ClientSecret!));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "oauth.unsupported-grant-type");
    }

    [Fact]
    public async Task ScopeBeyondRegistration_Refused()
    {
        var registered = await RegisterAsync(["datasets:read"]);
        var response = await TokenAsync([Grant, new("scope", "datasets:read keys:manage")], Basic(registered.Client.ClientId, registered.ClientSecret!));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "oauth.invalid-scope");
    }

    [Fact]
    public async Task DisabledClient_ItsTokenIsRefusedOnTheNextRequest()
    {
        var registered = await RegisterAsync(["datasets:read"]);
        var token = (await (await TokenAsync([Grant], Basic(registered.Client.ClientId, registered.ClientSecret!))).Content.ReadFromJsonAsync<OAuthTokenResponse>())!;
        using var client = Users.Bearer(_server, token.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/datasets")).StatusCode);

        using var admin = _server.CreateClient(_server.AdminKey);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/clients/{registered.Client.ClientId}")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/datasets")).StatusCode);
    }

    [Fact]
    public async Task RegisterClient_WithAdminScope_Refused()
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        var response = await admin.PostAsJsonAsync("/api/v1/clients", new CreateClientRequest("root", ["admin"]));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "client.invalid");
    }

    [Fact]
    public async Task PrivateKeyJwt_SignedAssertionWorksOnceAndForgeriesFail()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = key.ExportParameters(false);
        var jwk = new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["kid"] = "svc-1", ["x"] = B64(p.Q.X), ["y"] = B64(p.Q.Y) }.ToJsonString();
        var registered = await RegisterAsync(["datasets:read"], jwk);
        Assert.Null(registered.ClientSecret);
        var id = registered.Client.ClientId;
        var audience = _server.BaseUrl + "oauth/token";

        var assertion = Assertion(key, id, audience, TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.OK, (await AssertAsync(assertion)).StatusCode);

        // Replay of the same assertion.
        await ProblemAssert.IsProblemAsync(await AssertAsync(assertion), HttpStatusCode.Unauthorized, "oauth.invalid-client");

        // Another key, "none", a foreign audience, an expired one, an overlong one.
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await ProblemAssert.IsProblemAsync(await AssertAsync(Assertion(other, id, audience, TimeSpan.FromMinutes(2))), HttpStatusCode.Unauthorized, "oauth.invalid-client");
        var parts = Assertion(key, id, audience, TimeSpan.FromMinutes(2)).Split('.');
        var none = B64(Encoding.UTF8.GetBytes("{\"alg\":\"none\",\"typ\":\"JWT\"}")) + "." + parts[1] + ".";
        await ProblemAssert.IsProblemAsync(await AssertAsync(none), HttpStatusCode.Unauthorized, "oauth.invalid-client");
        await ProblemAssert.IsProblemAsync(await AssertAsync(Assertion(key, id, "https://elsewhere.example/token", TimeSpan.FromMinutes(2))), HttpStatusCode.Unauthorized, "oauth.invalid-client");
        await ProblemAssert.IsProblemAsync(await AssertAsync(Assertion(key, id, audience, TimeSpan.FromMinutes(-5))), HttpStatusCode.Unauthorized, "oauth.invalid-client");
        await ProblemAssert.IsProblemAsync(await AssertAsync(Assertion(key, id, audience, TimeSpan.FromHours(2))), HttpStatusCode.Unauthorized, "oauth.invalid-client");
    }

    private Task<HttpResponseMessage> AssertAsync(string assertion) => TokenAsync(
        [Grant, new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), new("client_assertion", assertion)]);

    private string Assertion(ECDsa key, string clientId, string audience, TimeSpan lifetime)
    {
        var now = _server.Time.GetUtcNow();
        var header = new JsonObject { ["alg"] = "ES256", ["typ"] = "JWT", ["kid"] = "svc-1" };
        var payload = new JsonObject
        {
            ["iss"] = clientId,
            ["sub"] = clientId,
            ["aud"] = audience,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + lifetime).ToUnixTimeSeconds(),
        };
        var input = B64(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + B64(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        return input + "." + B64(key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256));
    }

    private static string B64(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

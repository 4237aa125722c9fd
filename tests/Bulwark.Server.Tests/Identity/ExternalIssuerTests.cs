using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Bulwark.Client.Contracts;
using Bulwark.Core.Identity.Tokens;
using Bulwark.Server.Authentication;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Identity;

/// <summary>
/// Trust for an enterprise's own OpenID Connect provider: keys from a JWKS file, its role claim mapped to Bulwark roles,
/// its project claim to projects. The provider's tokens give exactly the mapped roles, nothing more.
/// </summary>
public sealed class ExternalIssuerTests : IAsyncLifetime
{
    private const string Issuer = "https://idp.corp.example/";
    private const string Audience = "bulwark-api";
    private readonly RSA _idpKey = RSA.Create(2048);
    private readonly string _jwksFile = Path.Combine(Path.GetTempPath(), "bulwark-idp-" + Guid.NewGuid().ToString("N") + ".json");
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        var p = _idpKey.ExportParameters(false);
        var jwks = new JsonObject { ["keys"] = new JsonArray(new JsonObject { ["kty"] = "RSA", ["kid"] = "idp-1", ["use"] = "sig", ["alg"] = "RS256", ["n"] = B64(p.Modulus), ["e"] = B64(p.Exponent) }) };
        await File.WriteAllTextAsync(_jwksFile, jwks.ToJsonString());
        _server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Bulwark:Tokens:ExternalIssuers:0:Issuer"] = Issuer,
            ["Bulwark:Tokens:ExternalIssuers:0:Audience"] = Audience,
            ["Bulwark:Tokens:ExternalIssuers:0:JwksFile"] = _jwksFile,
            ["Bulwark:Tokens:ExternalIssuers:0:SubjectPrefix"] = "corp",
            ["Bulwark:Tokens:ExternalIssuers:0:RoleMap:ml-team"] = "data-scientist",
            ["Bulwark:Tokens:ExternalIssuers:0:RoleMap:it-security"] = "auditor",
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _idpKey.Dispose();
        File.Delete(_jwksFile);
    }

    private string Token(JsonArray roles, JsonArray projects, string issuer = Issuer, string kid = "idp-1", RSA? key = null)
    {
        var now = _server.Time.GetUtcNow().ToUnixTimeSeconds();
        var header = new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = kid };
        var payload = new JsonObject
        {
            ["iss"] = issuer,
            ["aud"] = Audience,
            ["sub"] = "alice@corp.example",
            ["iat"] = now,
            ["exp"] = now + 300,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["roles"] = roles,
            ["projects"] = projects,
        };
        var input = B64(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + B64(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        return input + "." + B64((key ?? _idpKey).SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    private async Task<HttpResponseMessage> GetAsync(string token, string path, string? project = null)
    {
        using var client = _server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (project is not null)
        {
            client.DefaultRequestHeaders.Add(ProjectResolutionMiddleware.ProjectHeader, project);
        }

        return await client.GetAsync(path);
    }

    [Fact]
    public async Task IdpToken_MappedRoleInMappedProject_GrantsExactlyThatRole()
    {
        var token = Token(["ml-team", "admin", "root"], ["default"]);

        var me = await (await GetAsync(token, "/api/v1/auth/me")).Content.ReadFromJsonAsync<WhoAmI>();
        Assert.Equal("ext:corp:alice@corp.example", me!.Id);
        Assert.Equal(["default:data-scientist"], me.Roles);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(token, "/api/v1/datasets")).StatusCode);

        // "admin" and "root" are not in the role map: the IdP cannot confer them by name.
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(token, "/api/v1/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(token, "/api/v1/users")).StatusCode);
    }

    [Fact]
    public async Task IdpToken_ProjectNotInTheClaim_404()
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/projects", new CreateProjectRequest("payments"))).StatusCode);
        var token = Token(["ml-team"], ["default"]);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(token, "/api/v1/datasets", "payments")).StatusCode);
    }

    [Fact]
    public async Task KeysAreBoundToTheirIssuer()
    {
        // Signed by an unknown key under the IdP's kid; and our own issuer's name on an IdP-signed token.
        using var other = RSA.Create(2048);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(Token(["ml-team"], ["default"], key: other), "/api/v1/datasets")).StatusCode);
        var ours = _server.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<TokenOptions>>().Value.Issuer;
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(Token(["ml-team"], ["default"], issuer: ours), "/api/v1/datasets")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(Token(["ml-team"], ["default"], issuer: "https://other-idp.example/"), "/api/v1/datasets")).StatusCode);
    }

    private static string B64(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

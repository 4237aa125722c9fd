using System.Net;
using System.Text;

namespace Bulwark.Server.Tests.Identity;

/// <summary>Malformed input to the identity, project, policy and audit endpoints: always a 4xx problem, never a 500.</summary>
public sealed class IdentityInputTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("/api/v1/auth/login", "{\"login\": 5, \"password\": true}")]
    [InlineData("/api/v1/auth/login", "{\"login\": \"a\"")]
    [InlineData("/api/v1/auth/login", "{\"login\": \"a\", \"password\": \"b\", \"login\": \"c\"}")]
    [InlineData("/api/v1/auth/refresh", "{\"refreshToken\": 1e309}")]
    [InlineData("/api/v1/auth/refresh", "[]")]
    [InlineData("/api/v1/users", "{\"login\": \"../../etc\", \"displayName\": \"x\", \"password\": \"amber-lantern-orbit-quietly-57\"}")]
    [InlineData("/api/v1/users", "{\"login\": \"ok-name\", \"displayName\": \"x\", \"password\": \"amber-lantern-orbit-quietly-57\", \"clearance\": \"7\"}")]
    [InlineData("/api/v1/users", "{\"login\": \"ok-name\", \"displayName\": \"x\", \"password\": \"amber-lantern-orbit-quietly-57\", \"roles\": [{\"project\": \"../x\", \"role\": \"auditor\"}]}")]
    [InlineData("/api/v1/projects", "{\"id\": \"../etc\"}")]
    [InlineData("/api/v1/projects", "{\"id\": \"ok\", \"passwordProfile\": \"none\"}")]
    [InlineData("/api/v1/clients", "{\"name\": \"svc\", \"scopes\": [\"predict\"], \"publicJwk\": \"{\\\"kty\\\":\\\"oct\\\",\\\"k\\\":\\\"AAAA\\\",\\\"kid\\\":\\\"x\\\"}\"}")]
    [InlineData("/api/v1/roles", "{\"name\": \"r\", \"permissions\": \"datasets:read\"}")]
    public async Task Post_MalformedBody_4xxProblem(string path, string body)
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        var response = await admin.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("limit=abc")]
    [InlineData("after=-1")]
    [InlineData("limit=100000")]
    [InlineData("from=2026-13-45")]
    [InlineData("from=2026-11-01T00:00:00")]
    [InlineData("principal=%00")]
    public async Task AuditSearch_BadQuery_400(string query)
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        var response = await admin.GetAsync("/api/v1/audit/events?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Login_HugeBody_413()
    {
        using var anonymous = _server.CreateClient();
        var body = "{\"login\": \"a\", \"password\": \"" + new string('x', 5 * 1024 * 1024) + "\"}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login") { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        // Expect: 100-continue lets the server refuse on Content-Length before the body is sent; without it the
        // server may close the connection while the client is still writing, and the client sees a reset instead.
        request.Headers.ExpectContinue = true;
        var response = await anonymous.SendAsync(request);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "request.body-too-large");
    }

    [Fact]
    public async Task Login_LongPassword_RefusedLikeAnyWrongOne()
    {
        using var anonymous = _server.CreateClient();
        var body = "{\"login\": \"admin\", \"password\": \"" + new string('x', 100_000) + "\"}";
        var response = await anonymous.PostAsync("/api/v1/auth/login", new StringContent(body, Encoding.UTF8, "application/json"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "auth.login-failed");
    }
}

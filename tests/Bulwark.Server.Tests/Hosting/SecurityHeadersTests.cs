using System.Net;
using System.Text;

namespace Bulwark.Server.Tests.Hosting;

[Collection(ServerCollection.Name)]
public sealed class SecurityHeadersTests(ServerFixture fixture)
{
    internal static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        string Header(string name) =>
            response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
            : response.Content.Headers.TryGetValues(name, out var content) ? string.Join(",", content)
            : throw new Xunit.Sdk.XunitException($"Missing header {name} on a {(int)response.StatusCode} response");

        Assert.StartsWith("max-age=31536000", Header("Strict-Transport-Security"), StringComparison.Ordinal);
        Assert.Equal("nosniff", Header("X-Content-Type-Options"));
        Assert.Equal("DENY", Header("X-Frame-Options"));
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", Header("Content-Security-Policy"));
        Assert.Equal("no-referrer", Header("Referrer-Policy"));
        Assert.Equal("no-store", Header("Cache-Control"));
        Assert.Equal("same-origin", Header("Cross-Origin-Resource-Policy"));
        Assert.False(string.IsNullOrEmpty(Header("Permissions-Policy")));
        Assert.False(response.Headers.Contains("Server"), "The Server banner must not be sent.");
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Health_Ok_HasSecurityHeaders()
    {
        using var client = fixture.Server.CreateClient();
        var response = await client.GetAsync("/v2/health/live");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task Unauthenticated_401_HasSecurityHeaders()
    {
        using var client = fixture.Server.CreateClient();
        var response = await client.GetAsync("/api/v1/keys");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "auth.unauthenticated");
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task NotFound_404_HasSecurityHeaders()
    {
        using var client = fixture.Server.CreateClient(fixture.Server.AdminKey);
        var response = await client.DeleteAsync("/api/v1/keys/bwk_000000000000");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "key.not-found");
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task UnknownRoute_IsDeniedNotListed_HasSecurityHeaders()
    {
        using var client = fixture.Server.CreateClient();
        var response = await client.GetAsync("/no/such/route");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task OversizedBody_413_HasSecurityHeaders()
    {
        using var client = fixture.Server.CreateClient(fixture.Server.AdminKey);
        using var content = new ByteArrayContent(Encoding.ASCII.GetBytes(new string(' ', (4 * 1024 * 1024) + 1)));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/keys") { Content = content };

        // Expect: 100-continue (RFC 9110 §10.1.1) lets the server refuse on Content-Length before any byte is sent.
        request.Headers.ExpectContinue = true;
        var response = await client.SendAsync(request);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "request.body-too-large");
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task CorsPreflight_GetsNoCorsHeaders()
    {
        using var client = fixture.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/keys");
        request.Headers.Add("Origin", "https://evil.example");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        var response = await client.SendAsync(request);
        Assert.False(response.IsSuccessStatusCode);
        Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
        AssertSecurityHeaders(response);
    }
}

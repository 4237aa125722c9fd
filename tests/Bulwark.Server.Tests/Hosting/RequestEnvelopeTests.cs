using System.Net;
using System.Text;

namespace Bulwark.Server.Tests.Hosting;

[Collection(ServerCollection.Name)]
public sealed class RequestEnvelopeTests(ServerFixture fixture)
{
    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Request_HostNotAllowed_Is400()
    {
        using var client = fixture.Server.CreateClient(fixture.Server.AdminKey);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/health/live");
        request.Headers.Host = "evil.example";
        var response = await client.SendAsync(request);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "request.invalid");
        SecurityHeadersTests.AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task Request_LocalhostHost_IsAllowed()
    {
        using var client = fixture.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/health/live");
        request.Headers.Host = $"localhost:{fixture.Server.BaseUrl.Port}";
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task CreateKey_WrongContentType_Is415()
    {
        using var client = fixture.Server.CreateClient(fixture.Server.AdminKey);
        var response = await client.PostAsync("/api/v1/keys", new StringContent("""{"name":"x","scopes":["admin"]}""", Encoding.UTF8, "text/plain"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "request.unsupported-media-type");
    }

    [Fact]
    public async Task CreateKey_XmlContentType_Is415()
    {
        using var client = fixture.Server.CreateClient(fixture.Server.AdminKey);
        var response = await client.PostAsync("/api/v1/keys", new StringContent("<key/>", Encoding.UTF8, "application/xml"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "request.unsupported-media-type");
    }

    [Theory]
    [InlineData("{")]
    [InlineData("""{"name":"x","scopes":["admin"],"extra":1}""")]
    [InlineData("""{"name":"x","name":"y","scopes":["admin"]}""")]
    [InlineData("""{"name":1,"scopes":["admin"]}""")]
    [InlineData("""{"name":null,"scopes":["admin"]}""")]
    [InlineData("[]")]
    public async Task CreateKey_MalformedJson_Is400Problem(string body)
    {
        using var client = fixture.Server.CreateClient(fixture.Server.AdminKey);
        var response = await client.PostAsync("/api/v1/keys", Json(body));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "request.malformed-json");
    }

    [Fact]
    public async Task CreateKey_ChunkedOversizedBody_Is413Problem()
    {
        using var client = fixture.Server.CreateClient(fixture.Server.AdminKey);
        using var content = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes("\"" + new string('a', (4 * 1024 * 1024) + 16) + "\"")));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/keys") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        var response = await client.SendAsync(request);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "request.body-too-large");
    }
}

using System.Net;
using System.Text.Json;
using Bulwark.Core.Audit;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Health;

[Collection(ServerCollection.Name)]
public sealed class HealthEndpointsTests(ServerFixture fixture)
{
    [Theory]
    [InlineData("/v2/health/live", "live")]
    [InlineData("/v2/health/ready", "ready")]
    public async Task Health_Anonymous_IsOk(string path, string property)
    {
        using var client = fixture.Server.CreateClient();
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty(property).GetBoolean());
    }

    [Theory]
    [InlineData("/v2/health/live", HttpStatusCode.MethodNotAllowed)]
    [InlineData("/no-such-route", HttpStatusCode.Unauthorized)]
    public async Task Head_OverHttp2_AnswersHeadersWithoutResettingTheStream(string path, HttpStatusCode expected)
    {
        using var client = fixture.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Head, path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.True(response.Headers.Contains("Strict-Transport-Security"));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Start_IsAudited()
    {
        await using var scope = fixture.Server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Code == AuditCodes.ServerStarted));
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Code == AuditCodes.SystemInitialized));
    }
}

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
    [InlineData("/v2/health/live")]
    [InlineData("/v2/health/ready")]
    public async Task Health_Anonymous_IsOk(string path)
    {
        using var client = fixture.Server.CreateClient();
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("ready").GetBoolean());
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

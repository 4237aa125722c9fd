using System.Net;
using System.Text.Json;
using Bulwark.Core.Audit;
using Bulwark.Core.Storage;
using Bulwark.Server.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Authentication;

/// <summary>An attacker-chosen path of up to 8 KB must not be copied whole into the permanent audit ledger.</summary>
[Collection(ServerCollection.Name)]
public sealed class AuditPathTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    private async Task<List<AuditEvent>> EventsAsync(int code)
    {
        await using var scope = Server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
        return await db.AuditEvents.AsNoTracking().Where(e => e.Code == code).ToListAsync();
    }

    [Fact]
    public async Task FailedAuthentication_LongPath_AuditsAtMost256Characters()
    {
        var marker = Guid.NewGuid().ToString("N");
        using var client = Server.CreateClient("bwk_000000000000_" + new string('A', 43));
        var response = await client.DeleteAsync($"/api/v1/keys/{marker}{new string('a', 6000)}");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        var audited = Assert.Single(await EventsAsync(AuditCodes.AuthenticationFailed), e => e.Details.Contains(marker, StringComparison.Ordinal));
        var path = JsonDocument.Parse(audited.Details).RootElement.GetProperty("path").GetString()!;
        Assert.True(path.Length <= AuditPath.MaxLength, $"audited path is {path.Length} characters");
        Assert.StartsWith($"/api/v1/keys/{marker}aaa", path, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccessDenied_LongPath_AuditsAtMost256Characters()
    {
        var key = await Server.CreateKeyAsync(["datasets:read"]);
        var marker = Guid.NewGuid().ToString("N");
        using var client = Server.CreateClient(key.Key);
        var response = await client.DeleteAsync($"/api/v1/keys/{marker}{new string('b', 6000)}");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);

        var audited = Assert.Single(await EventsAsync(AuditCodes.AccessDenied), e => e.Resource.Contains(marker, StringComparison.Ordinal));
        Assert.True(audited.Resource.Length <= AuditPath.MaxLength, $"audited resource is {audited.Resource.Length} characters");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(8192)]
    public void Truncate_AnyLength_IsAtMostMaxLength(int length)
    {
        var path = "/" + new string('p', Math.Max(0, length - 1));
        var truncated = AuditPath.Truncate(path[..length]);
        Assert.True(truncated.Length <= AuditPath.MaxLength);
        if (length <= AuditPath.MaxLength)
        {
            Assert.Equal(path[..length], truncated);
        }
    }

    [Fact]
    public void Truncate_SurrogatePairAtCut_DoesNotLeaveLoneSurrogate()
    {
        // 254 ASCII characters, then emoji: the cut would fall between the two halves of the first pair.
        var path = new string('p', 254) + string.Concat(Enumerable.Repeat("\U0001F600", 10));
        var truncated = AuditPath.Truncate(path);
        Assert.True(truncated.Length <= AuditPath.MaxLength);
        for (var i = 0; i < truncated.Length; i++)
        {
            if (char.IsHighSurrogate(truncated[i]))
            {
                Assert.True(i + 1 < truncated.Length && char.IsLowSurrogate(truncated[i + 1]), $"lone high surrogate at {i}");
            }
        }
    }
}

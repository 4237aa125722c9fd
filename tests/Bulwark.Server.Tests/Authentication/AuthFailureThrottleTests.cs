using System.Net;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Server.Authentication;
using Bulwark.Server.Tests.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Authentication;

/// <summary>An unauthenticated caller must not be able to make the server do unbounded key lookups and audit writes.</summary>
public sealed class AuthFailureThrottleTests
{
    private const string BadKey = "bwk_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    /// <summary>Counts straight from the SQLite file, so nothing in the server's own read path can hide rows.</summary>
    private static async Task<long> CountAuditRowsAsync(TestServer server, int code, string? detailsContaining = null)
    {
        var path = server.App.Services.GetRequiredService<StorageOptions>().DatabasePath;
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM audit_events WHERE Code = $code AND ($like IS NULL OR Details LIKE $like)";
        command.Parameters.AddWithValue("$code", code);
        command.Parameters.AddWithValue("$like", detailsContaining is null ? DBNull.Value : "%" + detailsContaining + "%");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task ListKeys_31stBadKeyFromOneClient_Is429WithRetryAfter()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient(BadKey);
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/keys")).StatusCode);
        }

        for (var i = 0; i < 3; i++)
        {
            var limited = await client.GetAsync("/api/v1/keys");
            await ProblemAssert.IsProblemAsync(limited, HttpStatusCode.TooManyRequests, "request.rate-limited");
            var retryAfter = limited.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), AuthFailureLimiter.Window);
            SecurityHeadersTests.AssertSecurityHeaders(limited);
        }

        // Other credential shapes (Bearer, X-Api-Key) are refused too, and the anonymous health probe still answers.
        using var bearer = server.CreateClient();
        bearer.DefaultRequestHeaders.Authorization = new("Bearer", "eyJhbGciOiJub25lIn0.e30.");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await bearer.GetAsync("/api/v1/keys")).StatusCode);
        using var anonymous = server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v2/health/live")).StatusCode);
    }

    [Fact]
    public async Task ListKeys_100BadKeys_AuditsAtMost31FailuresAndBlocksValidKeyUntilWindowPasses()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = server.CreateClient(server.AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/keys")).StatusCode);

        using var client = server.CreateClient(BadKey);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 100; i++)
        {
            statuses.Add((await client.GetAsync("/api/v1/keys")).StatusCode);
        }

        Assert.Equal(30, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(70, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        var failures = await CountAuditRowsAsync(server, AuditCodes.AuthenticationFailed);
        Assert.Equal(31, failures);
        Assert.Equal(1, await CountAuditRowsAsync(server, AuditCodes.AuthenticationFailed, "\"throttled\""));

        // Blocked even with the valid key: otherwise a hit would still be distinguishable from a miss while guessing.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await admin.GetAsync("/api/v1/keys")).StatusCode);

        server.Time.Advance(AuthFailureLimiter.Window);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/keys")).StatusCode);
        Assert.Equal(failures + 1, await CountAuditRowsAsync(server, AuditCodes.AuthenticationFailed));
    }

    [Fact]
    public async Task ListKeys_SmallConfiguredLimit_IsHonoured()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Bulwark:RateLimits:AuthFailuresPerMinute"] = "2" });
        using var client = server.CreateClient(BadKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/api/v1/keys")).StatusCode);
    }
}

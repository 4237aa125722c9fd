using System.Net;
using System.Net.Http.Json;
using Bulwark.Client.Contracts;
using Microsoft.Data.Sqlite;

namespace Bulwark.Server.Tests.Audit;

public sealed class AuditEndpointsTests
{
    [Fact]
    public async Task Verify_AfterActivity_IsValid_ThenEditedRow_NamesFirstBrokenSequence()
    {
        await using var server = await TestServer.StartAsync();
        await server.CreateKeyAsync(["models:read"], name: "one");
        await server.CreateKeyAsync(["models:read"], name: "two");
        using var admin = server.CreateClient(server.AdminKey);

        var ok = await (await admin.PostAsync("/api/v1/audit/verify", null)).Content.ReadFromJsonAsync<AuditVerifyResult>();
        Assert.True(ok!.Valid, ok.Reason);
        Assert.True(ok.EventsVerified >= 4);
        Assert.Null(ok.FirstBrokenSequence);

        var builder = new SqliteConnectionStringBuilder { DataSource = Path.Combine(server.DataDir, "bulwark.db"), Pooling = false };
        await using (var connection = new SqliteConnection(builder.ToString()))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """UPDATE audit_events SET details = '{"name":"innocent"}' WHERE sequence = 3""";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var response = await admin.PostAsync("/api/v1/audit/verify", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var broken = await response.Content.ReadFromJsonAsync<AuditVerifyResult>();
        Assert.False(broken!.Valid);
        Assert.Equal(3, broken.FirstBrokenSequence);
        Assert.Equal(2, broken.EventsVerified);
    }
}

public sealed class AuditExportEndpointTests
{
    [Fact]
    public async Task Export_VerifiesOfflineWithThePublishedKey_AndAnEditedLineIsFound()
    {
        await using var server = await TestServer.StartAsync();
        await server.CreateKeyAsync(["models:read"], name: "one");
        using var admin = server.CreateClient(server.AdminKey);
        var keys = await admin.GetFromJsonAsync<AuditKeyList>("/api/v1/audit/keys");
        var trusted = Core.Audit.AuditExportVerifier.ReadTrustedKeys(string.Concat(keys!.Keys.Select(k => k.PublicKeyPem)));
        Assert.Single(trusted);

        var response = await admin.GetAsync("/api/v1/audit/export");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();

        var report = await Core.Audit.AuditExportVerifier.VerifyAsync(new StringReader(text), trusted);
        Assert.True(report.Valid, report.Reason);

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var i = Array.FindIndex(lines, l => l.Contains("\"sequence\":2,", StringComparison.Ordinal) && l.StartsWith("{\"type\":\"event\"", StringComparison.Ordinal));
        lines[i] = lines[i].Replace("\"success\"", "\"denied\"", StringComparison.Ordinal);
        var tampered = await Core.Audit.AuditExportVerifier.VerifyAsync(new StringReader(string.Join('\n', lines)), trusted);
        Assert.False(tampered.Valid);
        Assert.Equal(2, tampered.FirstBrokenSequence);

        // The export itself is on the record.
        var page = await admin.GetFromJsonAsync<AuditEventPage>("/api/v1/audit/events?action=audit.export&includeInstanceEvents=true");
        Assert.NotEmpty(page!.Events);
    }

    [Fact]
    public async Task Verify_AfterCheckpointTheTailIsDeleted_ReportsTruncation()
    {
        await using var server = await TestServer.StartAsync();
        await server.CreateKeyAsync(["models:read"], name: "one");
        using var admin = server.CreateClient(server.AdminKey);
        var checkpoint = await (await admin.PostAsync("/api/v1/audit/checkpoints", null)).Content.ReadFromJsonAsync<AuditCheckpointInfo>();
        Assert.True(checkpoint!.Sequence >= 3);

        var builder = new SqliteConnectionStringBuilder { DataSource = Path.Combine(server.DataDir, "bulwark.db"), Pooling = false };
        await using (var connection = new SqliteConnection(builder.ToString()))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"DELETE FROM audit_events WHERE sequence >= {checkpoint.Sequence - 1}";
            Assert.True(await command.ExecuteNonQueryAsync() >= 2);
        }

        // The server's cached chain head would re-link new events to the deleted ones; verification must still see the gap.
        var result = await (await admin.PostAsync("/api/v1/audit/verify", null)).Content.ReadFromJsonAsync<AuditVerifyResult>();
        Assert.False(result!.Valid);
        Assert.Equal(checkpoint.Sequence - 1, result.FirstBrokenSequence);
    }

    [Theory]
    [InlineData("/api/v1/audit/export?from=0")]
    [InlineData("/api/v1/audit/export?from=5&to=2")]
    [InlineData("/api/v1/audit/export?from=abc")]
    [InlineData("/api/v1/audit/export?from=99999999")]
    [InlineData("/api/v1/audit/export?to=1e309")]
    public async Task Export_BadRange_Is4xxProblem(string url)
    {
        await using var server = await TestServer.StartAsync();
        using var admin = server.CreateClient(server.AdminKey);

        var response = await admin.GetAsync(url);

        Assert.InRange((int)response.StatusCode, 400, 404);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task RotateKey_WithoutMfaSession_IsRefused()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = server.CreateClient(server.AdminKey);

        var response = await admin.PostAsync("/api/v1/audit/keys/rotate", null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}

public sealed class AuditCallerTests
{
    [Fact]
    public async Task Events_RecordAuthMethodAndSanitisedUserAgent_CoveredByTheHash()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = server.CreateClient(server.AdminKey);
        admin.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", "curl/8.0 \u001b[31mred" + new string('x', 400));
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/keys", new CreateApiKeyRequest("ci", ["models:read"], null))).StatusCode);
        using (var anonymous = server.CreateClient("bwk_000000000000_wrong"))
        {
            anonymous.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", "attacker-tool/1.0");
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/models")).StatusCode);
        }

        var page = (await admin.GetFromJsonAsync<AuditEventPage>("/api/v1/audit/events?includeInstanceEvents=true"))!;
        var created = page.Events.Last(e => e.Action == "key.create");
        Assert.Equal("api_key", created.AuthMethod);
        Assert.StartsWith("curl/8.0 ?[31mred", created.UserAgent, StringComparison.Ordinal);
        Assert.Equal(256, created.UserAgent!.Length);
        var failed = Assert.Single(page.Events, e => e.Code == Core.Audit.AuditCodes.AuthenticationFailed);
        Assert.Null(failed.AuthMethod);
        Assert.Equal("attacker-tool/1.0", failed.UserAgent);

        // The new fields are part of the chain: changing one is found.
        Assert.True((await (await admin.PostAsync("/api/v1/audit/verify", null)).Content.ReadFromJsonAsync<AuditVerifyResult>())!.Valid);
        var builder = new SqliteConnectionStringBuilder { DataSource = Path.Combine(server.DataDir, "bulwark.db"), Pooling = false };
        await using (var connection = new SqliteConnection(builder.ToString()))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"UPDATE audit_events SET useragent = 'innocent-browser' WHERE sequence = {failed.Sequence}";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var broken = (await (await admin.PostAsync("/api/v1/audit/verify", null)).Content.ReadFromJsonAsync<AuditVerifyResult>())!;
        Assert.False(broken.Valid);
        Assert.Equal(failed.Sequence, broken.FirstBrokenSequence);
    }
}

/// <summary>audit:read is a read-only scope (instance-wide SIEM keys hold it): it must not sign, nor run unbounded expensive work.</summary>
public sealed class AuditReadLimitsTests
{
    private static async Task<string> InstanceAuditReaderAsync(TestServer server, string name)
    {
        using var admin = server.CreateClient(server.AdminKey);
        var created = await admin.PostAsJsonAsync("/api/v1/keys", new CreateApiKeyRequest(name, ["audit:read"], server.Time.GetUtcNow().AddDays(30), InstanceWide: true));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<CreatedApiKeyInfo>())!.Key;
    }

    [Fact]
    public async Task Checkpoint_WithAuditReadOnly_IsForbidden_AndSignsNothing()
    {
        await using var server = await TestServer.StartAsync();
        using var siem = server.CreateClient(await InstanceAuditReaderAsync(server, "siem"));
        using var admin = server.CreateClient(server.AdminKey);

        await ProblemAssert.IsProblemAsync(await siem.PostAsync("/api/v1/audit/checkpoints", null), HttpStatusCode.Forbidden, "auth.forbidden");
        var page = await admin.GetFromJsonAsync<AuditEventPage>("/api/v1/audit/events?action=audit.checkpoint&includeInstanceEvents=true");
        Assert.Empty(page!.Events);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/audit/checkpoints", null)).StatusCode);
    }

    [Fact]
    public async Task VerifyExportAndCheckpoint_BeyondThePerPrincipalLimit_Are429WithRetryAfter()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Bulwark:RateLimits:AuditOperationsPerMinute"] = "3" });
        using var siem = server.CreateClient(await InstanceAuditReaderAsync(server, "siem"));
        using var other = server.CreateClient(await InstanceAuditReaderAsync(server, "other"));
        using var admin = server.CreateClient(server.AdminKey);

        // One budget for the three operations, per principal.
        Assert.Equal(HttpStatusCode.OK, (await siem.PostAsync("/api/v1/audit/verify", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await siem.GetAsync("/api/v1/audit/export")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await siem.PostAsync("/api/v1/audit/verify", null)).StatusCode);
        var verify = await siem.PostAsync("/api/v1/audit/verify", null);
        await ProblemAssert.IsProblemAsync(verify, HttpStatusCode.TooManyRequests, ErrorCodes.RateLimited);
        Assert.True(verify.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        await ProblemAssert.IsProblemAsync(await siem.GetAsync("/api/v1/audit/export"), HttpStatusCode.TooManyRequests, ErrorCodes.RateLimited);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/audit/checkpoints", null)).StatusCode);
        }

        await ProblemAssert.IsProblemAsync(await admin.PostAsync("/api/v1/audit/checkpoints", null), HttpStatusCode.TooManyRequests, ErrorCodes.RateLimited);

        // Someone else's budget is their own; reading the key list is not limited.
        Assert.Equal(HttpStatusCode.OK, (await other.PostAsync("/api/v1/audit/verify", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await siem.GetAsync("/api/v1/audit/keys")).StatusCode);

        // Refused requests did no work: two verifications and one export by the limited reader are on record, no more.
        var verified = await admin.GetFromJsonAsync<AuditEventPage>("/api/v1/audit/events?action=audit.verify&includeInstanceEvents=true");
        Assert.Equal(3, verified!.Events.Count);
        var exported = await admin.GetFromJsonAsync<AuditEventPage>("/api/v1/audit/events?action=audit.export&includeInstanceEvents=true");
        Assert.Single(exported!.Events);
    }
}

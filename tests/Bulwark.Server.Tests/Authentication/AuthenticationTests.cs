using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Bulwark.Core.Audit;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Authentication;

[Collection(ServerCollection.Name)]
public sealed class AuthenticationTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    private async Task AssertUnauthorizedAsync(HttpResponseMessage response)
    {
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "auth.unauthenticated");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "ApiKey");
    }

    private async Task<List<AuditEvent>> AuditEventsAsync(int code)
    {
        await using var scope = Server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
        return await db.AuditEvents.AsNoTracking().Where(e => e.Code == code).OrderBy(e => e.Sequence).ToListAsync();
    }

    [Fact]
    public async Task ListKeys_NoKey_Is401()
    {
        using var client = Server.CreateClient();
        await AssertUnauthorizedAsync(await client.GetAsync("/api/v1/keys"));
    }

    [Theory]
    [InlineData("not-a-key")]
    [InlineData("bwk_")]
    [InlineData("bwk_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task ListKeys_MalformedOrUnknownKey_Is401(string key)
    {
        using var client = Server.CreateClient(key);
        await AssertUnauthorizedAsync(await client.GetAsync("/api/v1/keys"));
    }

    [Fact]
    public async Task ListKeys_WrongSecretForRealPrefix_Is401AndAuditsPrefixOnly()
    {
        var admin = Server.AdminKey;
        var wrong = admin[..17] + new string('A', 43);
        Assert.NotEqual(admin, wrong);
        using var client = Server.CreateClient(wrong);
        await AssertUnauthorizedAsync(await client.GetAsync("/api/v1/keys"));

        var failures = await AuditEventsAsync(AuditCodes.AuthenticationFailed);
        var mine = Assert.Single(failures, e => e.Resource == "key/" + admin[..16] && e.Details.Contains("invalid", StringComparison.Ordinal));
        Assert.Equal("anonymous", mine.Principal);
        Assert.DoesNotContain(wrong[17..], mine.Details, StringComparison.Ordinal);
        Assert.DoesNotContain(admin[17..], mine.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListKeys_BearerToken_Is401()
    {
        using var client = Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "eyJhbGciOiJub25lIn0.e30.");
        await AssertUnauthorizedAsync(await client.GetAsync("/api/v1/keys"));
    }

    [Fact]
    public async Task ListKeys_XApiKeyHeader_IsAccepted()
    {
        using var client = Server.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", Server.AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/keys")).StatusCode);
    }

    [Fact]
    public async Task ListKeys_RevokedKey_Is401()
    {
        var key = await Server.CreateKeyAsync(["keys:manage"]);
        using var client = Server.CreateClient(key.Key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/keys")).StatusCode);

        using var admin = Server.CreateClient(Server.AdminKey);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/keys/{key.Info.Prefix}")).StatusCode);
        await AssertUnauthorizedAsync(await client.GetAsync("/api/v1/keys"));
    }

    [Fact]
    public async Task ListKeys_ExpiredKey_Is401()
    {
        var key = await Server.CreateKeyAsync(["keys:manage"], Server.Time.GetUtcNow().AddHours(1));
        using var client = Server.CreateClient(key.Key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/keys")).StatusCode);

        Server.Time.Advance(TimeSpan.FromHours(2));
        await AssertUnauthorizedAsync(await client.GetAsync("/api/v1/keys"));
    }

    [Fact]
    public async Task ListKeys_KeyWithoutScope_Is403AndAudited()
    {
        var key = await Server.CreateKeyAsync(["datasets:read"]);
        using var client = Server.CreateClient(key.Key);
        await ProblemAssert.IsProblemAsync(await client.GetAsync("/api/v1/keys"), HttpStatusCode.Forbidden, "auth.forbidden");
        Assert.Contains(await AuditEventsAsync(AuditCodes.AccessDenied), e => e.Principal == "key:" + key.Info.Prefix && e.Outcome == "denied");
    }

    [Fact]
    public async Task VerifyAudit_PredictKey_Is403()
    {
        var key = await Server.CreateKeyAsync(["predict:*"]);
        using var client = Server.CreateClient(key.Key);
        await ProblemAssert.IsProblemAsync(await client.PostAsync("/api/v1/audit/verify", null), HttpStatusCode.Forbidden, "auth.forbidden");
    }

    [Fact]
    public async Task Predict_KeyForAnotherModel_Is403()
    {
        var key = await Server.CreateKeyAsync(["predict:other-model"]);
        using var client = Server.CreateClient(key.Key);
        var response = await client.PostAsJsonAsync("/v1/models/some-model:predict", new { instances = Array.Empty<object>() });
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "auth.forbidden");
        var metadata = await client.GetAsync("/v2/models/some-model");
        await ProblemAssert.IsProblemAsync(metadata, HttpStatusCode.Forbidden, "auth.forbidden");
    }
}

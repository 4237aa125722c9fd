using System.Net;
using System.Net.Http.Json;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Keys;

/// <summary>A key holding keys:manage must not be a path to more privilege than it already has.</summary>
[Collection(ServerCollection.Name)]
public sealed class KeyEscalationTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    private static async Task<HttpResponseMessage> CreateAsync(HttpClient client, params string[] scopes) =>
        await client.PostAsJsonAsync("/api/v1/keys", new CreateApiKeyRequest("escalation", scopes));

    private async Task<List<AuditEvent>> DeniedAsync(string principal, string action)
    {
        await using var scope = Server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
        return await db.AuditEvents.AsNoTracking()
            .Where(e => e.Code == AuditCodes.AccessDenied && e.Principal == principal && e.Action == action && e.Outcome == "denied")
            .ToListAsync();
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("keys:manage")]
    [InlineData("models:write")]
    [InlineData("predict:*")]
    [InlineData("predict:other")]
    public async Task CreateKey_KeysManageGrantsScopeItLacks_Is403AndAudited(string scope)
    {
        var manager = await Server.CreateKeyAsync(["keys:manage", "predict:fraud"]);
        using var client = Server.CreateClient(manager.Key);
        await ProblemAssert.IsProblemAsync(await CreateAsync(client, "predict:fraud", scope), HttpStatusCode.Forbidden, "auth.forbidden");
        Assert.NotEmpty(await DeniedAsync("key:" + manager.Info.Prefix, "key.create"));

        using var admin = Server.CreateClient(Server.AdminKey);
        var keys = await admin.GetFromJsonAsync<ApiKeyInfo[]>("/api/v1/keys");
        Assert.DoesNotContain(keys!, k => k.CreatedBy == "key:" + manager.Info.Prefix);
    }

    [Fact]
    public async Task CreateKey_KeysManageGrantsScopeItHolds_IsCreated()
    {
        var manager = await Server.CreateKeyAsync(["keys:manage", "predict:fraud", "models:read"]);
        using var client = Server.CreateClient(manager.Key);
        var response = await CreateAsync(client, "predict:fraud", "models:read");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<CreatedApiKeyInfo>();
        Assert.Equal(["models:read", "predict:fraud"], created!.Info.Scopes);
    }

    [Fact]
    public async Task CreateKey_PredictWildcardGrantsOneModel_IsCreated()
    {
        var manager = await Server.CreateKeyAsync(["keys:manage", "predict:*"]);
        using var client = Server.CreateClient(manager.Key);
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(client, "predict:churn")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(client, "predict:*")).StatusCode);
    }

    [Fact]
    public async Task CreateKey_AdminGrantsKeysManage_IsCreated()
    {
        using var admin = Server.CreateClient(Server.AdminKey);
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(admin, "keys:manage", "admin")).StatusCode);
    }

    [Fact]
    public async Task RevokeKey_KeysManageRevokesInitialAdminKey_Is404AndAdminStillWorks()
    {
        // Its own server: if the control failed, the shared fixture's admin key would be gone for every other test.
        await using var server = await TestServer.StartAsync();
        var manager = await server.CreateKeyAsync(["keys:manage"]);
        using var client = server.CreateClient(manager.Key);
        var response = await client.DeleteAsync($"/api/v1/keys/{server.AdminKey[..16]}");

        // The initial admin key is instance-wide: from inside a project it is not even visible.
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "key.not-found");

        using var admin = server.CreateClient(server.AdminKey);
        var keys = await admin.GetFromJsonAsync<ApiKeyInfo[]>("/api/v1/keys");
        Assert.Null(Assert.Single(keys!, k => k.Prefix == server.AdminKey[..16]).RevokedAt);
    }

    [Fact]
    public async Task RevokeKey_KeysManageRevokesAnotherKeysManageKey_Is403()
    {
        var manager = await Server.CreateKeyAsync(["keys:manage"]);
        var peer = await Server.CreateKeyAsync(["keys:manage"]);
        using var client = Server.CreateClient(manager.Key);
        await ProblemAssert.IsProblemAsync(await client.DeleteAsync($"/api/v1/keys/{peer.Info.Prefix}"), HttpStatusCode.Forbidden, "auth.forbidden");
        Assert.NotEmpty(await DeniedAsync("key:" + manager.Info.Prefix, "key.revoke"));

        using var peerClient = Server.CreateClient(peer.Key);
        Assert.Equal(HttpStatusCode.OK, (await peerClient.GetAsync("/api/v1/keys")).StatusCode);
    }

    [Fact]
    public async Task RevokeKey_KeysManageRevokesPredictKey_Is204()
    {
        var manager = await Server.CreateKeyAsync(["keys:manage"]);
        var predictor = await Server.CreateKeyAsync(["predict:fraud"]);
        using var client = Server.CreateClient(manager.Key);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/keys/{predictor.Info.Prefix}")).StatusCode);
    }

    [Fact]
    public async Task RevokeKey_AdminRevokesKeysManageKey_Is204()
    {
        var manager = await Server.CreateKeyAsync(["keys:manage"]);
        using var admin = Server.CreateClient(Server.AdminKey);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/keys/{manager.Info.Prefix}")).StatusCode);
    }
}

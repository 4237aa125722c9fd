using System.Net;
using System.Text.Json;
using Bulwark.Client.Contracts;
using Bulwark.Core.Crypto;
using Bulwark.Core.Registry;
using Bulwark.Server.Tests.Telemetry;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Health;

/// <summary>
/// Readiness reflects the store, the key ring and the signing keys; anonymous callers learn only {"ready": bool}, and the
/// per-check breakdown needs metrics:read instance-wide. Failures are made the way they happen: files moved or altered
/// under a running server, keys gone from memory.
/// </summary>
public sealed class ReadinessTests
{
    private static readonly string[] Checks = ["key-ring", "models", "signing-keys", "store"];

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyAsync(HttpClient client)
    {
        var response = await client.GetAsync("/v2/health/ready");
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static void AssertOnlyReady(JsonElement body, bool ready)
    {
        Assert.Equal(["ready"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(ready, body.GetProperty("ready").GetBoolean());
    }

    private static Dictionary<string, string> StatusOfChecks(JsonElement body) =>
        body.GetProperty("checks").EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetProperty("status").GetString()!, StringComparer.Ordinal);

    [Fact]
    public async Task Ready_Healthy_AnonymousGetsOnlyReadyAndScraperGetsEachCheck()
    {
        await using var server = await TestServer.StartAsync();
        using var anonymous = server.CreateClient();
        using var scraper = server.CreateClient(await InstanceKeys.CreateAsync(server.App, ["metrics:read"]));

        var (status, body) = await ReadyAsync(anonymous);
        Assert.Equal(HttpStatusCode.OK, status);
        AssertOnlyReady(body, ready: true);

        var (detailStatus, detail) = await ReadyAsync(scraper);
        Assert.Equal(HttpStatusCode.OK, detailStatus);
        Assert.True(detail.GetProperty("ready").GetBoolean());
        Assert.Equal(Checks.ToDictionary(c => c, _ => "healthy", StringComparer.Ordinal), StatusOfChecks(detail));
    }

    [Fact]
    public async Task Ready_CallerWithoutInstanceWideMetricsRead_GetsNoBreakdown()
    {
        await using var server = await TestServer.StartAsync();
        string[] keys =
        [
            await InstanceKeys.CreateAsync(server.App, ["models:read", "audit:read"]),
            (await server.CreateKeyAsync(["metrics:read"])).Key, // a project's key: the breakdown is about the whole instance
            "bwk_0123456789ab_not-a-real-secret",
        ];

        foreach (var key in keys)
        {
            using var client = server.CreateClient(key);
            var (status, body) = await ReadyAsync(client);
            Assert.Equal(HttpStatusCode.OK, status);
            AssertOnlyReady(body, ready: true);
        }
    }

    [Fact]
    public async Task Ready_DatabaseFileGone_Is503UntilItIsBack()
    {
        await using var server = await TestServer.StartAsync();
        using var anonymous = server.CreateClient();
        var database = Path.Combine(server.DataDir, "bulwark.db");
        var aside = Path.Combine(server.DataDir, "aside");
        Directory.CreateDirectory(aside);
        string[] files = [database, database + "-wal", database + "-shm"];

        SqliteConnection.ClearAllPools();
        foreach (var file in files.Where(File.Exists))
        {
            File.Move(file, Path.Combine(aside, Path.GetFileName(file)));
        }

        var (status, body) = await ReadyAsync(anonymous);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        AssertOnlyReady(body, ready: false);

        // A botched restore leaves an empty file: SQLite opens it fine, but Bulwark's schema is not in it.
        await File.WriteAllBytesAsync(database, []);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await ReadyAsync(anonymous)).Status);

        SqliteConnection.ClearAllPools();
        foreach (var file in files)
        {
            File.Delete(file);
            var moved = Path.Combine(aside, Path.GetFileName(file));
            if (File.Exists(moved))
            {
                File.Move(moved, file);
            }
        }

        Assert.Equal(HttpStatusCode.OK, (await ReadyAsync(anonymous)).Status);
    }

    [Fact]
    public async Task Ready_SealedSigningKeyAltered_Is503AndBreakdownNamesTheKeyRingWithoutInternals()
    {
        await using var server = await TestServer.StartAsync();
        using var scraper = server.CreateClient(await InstanceKeys.CreateAsync(server.App, ["metrics:read"]));
        var sealedKey = server.App.Services.GetRequiredService<ArtifactStore>().FullPath(ManifestSigner.KeyPurpose, ManifestSigner.KeyObjectId);
        var bytes = await File.ReadAllBytesAsync(sealedKey);
        bytes[^1] ^= 0x01;
        await File.WriteAllBytesAsync(sealedKey, bytes);

        var (status, body) = await ReadyAsync(scraper);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.False(body.GetProperty("ready").GetBoolean());
        Assert.Equal(new Dictionary<string, string>(StringComparer.Ordinal) { ["key-ring"] = "unhealthy", ["models"] = "healthy", ["signing-keys"] = "healthy", ["store"] = "healthy" },
            StatusOfChecks(body));
        var text = body.ToString();
        Assert.DoesNotContain(server.DataDir, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_KeyRingWipedFromMemory_Is503()
    {
        await using var server = await TestServer.StartAsync();
        using var anonymous = server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await ReadyAsync(anonymous)).Status);

        // What disposing the key ring does at shutdown: the master keys are zeroed and open nothing any more.
        server.App.Services.GetRequiredService<KeyRing>().Dispose();

        var (status, body) = await ReadyAsync(anonymous);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        AssertOnlyReady(body, ready: false);
    }
}

public sealed class ModelReadinessHealthTests
{
    [Fact]
    public async Task Ready_ModelQuarantinedWithoutFallback_ModelNotReady_InstanceDegradedButReady_UntilRestored()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = server.CreateClient(server.AdminKey);
        var version = await Incidents.Tabletop.TrainAndPromoteAsync(admin, "solo", await Incidents.Tabletop.ImportDatasetAsync(admin));
        using var anonymous = server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v2/health/ready")).StatusCode);

        using var officer = Identity.Users.Bearer(server, await Identity.Users.SignedInWithMfaAsync(server, "officer", [new RoleGrant("*", "security-officer")]));
        await Incidents.Tabletop.PostOkAsync(officer, $"/api/v1/models/solo/versions/{version}/quarantine", new ContainmentActionRequest("tampered"));

        // The model is not ready (OIP v2 model readiness), the instance is degraded but stays ready: one project's model
        // must not take every tenant, and the containment API, out of the load balancer.
        Assert.NotEqual(HttpStatusCode.OK, (await admin.GetAsync("/v2/models/solo/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v2/health/ready")).StatusCode);
        using var scraper = server.CreateClient(await InstanceKeys.CreateAsync(server.App, ["metrics:read"]));
        var detail = JsonDocument.Parse(await (await scraper.GetAsync("/v2/health/ready")).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("degraded", detail.GetProperty("checks").GetProperty("models").GetProperty("status").GetString());
        Assert.DoesNotContain("solo", detail.ToString(), StringComparison.Ordinal);

        using var approver = Identity.Users.Bearer(server, await Identity.Users.SignedInWithMfaAsync(server, "approver", [new RoleGrant("default", "approver")]));
        await Incidents.Tabletop.PostOkAsync(approver, $"/api/v1/models/solo/versions/{version}/reinstate", new ReinstateRequest("verified clean"));
        await Serving.TrainedModelsFixture.PromoteAsync(admin, "solo", version);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v2/health/ready")).StatusCode);
    }
}

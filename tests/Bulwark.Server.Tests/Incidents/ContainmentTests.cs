using System.Net;
using System.Net.Http.Json;
using Bulwark.Client.Contracts;
using Bulwark.Server.Tests.Identity;

namespace Bulwark.Server.Tests.Incidents;

/// <summary>Every containment action takes effect on the very next request, and only responders act during lockdown.</summary>
public sealed class ContainmentTests : IAsyncLifetime
{
    private static readonly IPAddress Attacker = IPAddress.Parse("127.0.9.7");
    private TestServer _server = null!;
    private HttpClient _officer = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _officer = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "officer", [new RoleGrant("*", "security-officer")]));
    }

    public async Task DisposeAsync()
    {
        _officer.Dispose();
        await _server.DisposeAsync();
    }

    private async Task ActAsync(string path, object body)
    {
        var response = await _officer.PostAsJsonAsync(path, body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task BlockNetwork_NextRequestFromIt_Refused_OthersAndHealthUnaffected()
    {
        var key = (await _server.CreateKeyAsync(["models:read"])).Key;
        using var fromAttacker = _server.CreateClientFrom(Attacker, key);
        using var fromHere = _server.CreateClient(key);
        Assert.Equal(HttpStatusCode.OK, (await fromAttacker.GetAsync("/api/v1/models")).StatusCode);

        await ActAsync("/api/v1/containment/networks/block", new NetworkBlockRequest("127.0.9.0/24", "mass querying"));

        await ProblemAssert.IsProblemAsync(await fromAttacker.GetAsync("/api/v1/models"), HttpStatusCode.Forbidden, ErrorCodes.NetworkBlocked);
        Assert.Equal(HttpStatusCode.OK, (await fromAttacker.GetAsync("/v2/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fromHere.GetAsync("/api/v1/models")).StatusCode);

        // Host bits and IPv4-mapped forms name the same network.
        await ActAsync("/api/v1/containment/networks/unblock", new NetworkBlockRequest("127.0.9.200/24", "false alarm"));
        Assert.Equal(HttpStatusCode.OK, (await fromAttacker.GetAsync("/api/v1/models")).StatusCode);
    }

    [Theory]
    [InlineData("127.0.0.1", ErrorCodes.ContainmentOwnNetwork)]
    [InlineData("127.0.0.0/8", ErrorCodes.ContainmentOwnNetwork)]
    [InlineData("0.0.0.0/0", ErrorCodes.ContainmentNetworkTooWide)]
    [InlineData("::/0", ErrorCodes.ContainmentNetworkTooWide)]
    [InlineData("../etc/passwd", ErrorCodes.ContainmentInvalid)]
    [InlineData("10.0.0.0/33", ErrorCodes.ContainmentInvalid)]
    [InlineData("10.0.0.0/-1", ErrorCodes.ContainmentInvalid)]
    [InlineData("10.0.0.0/", ErrorCodes.ContainmentInvalid)]
    [InlineData("127.1", ErrorCodes.ContainmentInvalid)]
    [InlineData("010.0.0.1", ErrorCodes.ContainmentInvalid)]
    [InlineData("fe80::1%1/64", ErrorCodes.ContainmentInvalid)]
    [InlineData("", ErrorCodes.ContainmentInvalid)]
    public async Task BlockNetwork_OwnNetworkEverythingOrGarbage_Is400(string network, string code)
    {
        var response = await _officer.PostAsJsonAsync("/api/v1/containment/networks/block", new NetworkBlockRequest(network, "test"));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task RevokeApiKey_NoRequestAdmittedAfterTheActionReturns()
    {
        var created = await _server.CreateKeyAsync(["models:read"], name: "leaked");
        using var attacker = _server.CreateClientFrom(Attacker, created.Key);

        await AssertNothingAdmittedAfterAsync(
            () => ActAsync("/api/v1/containment/revoke", new RevokePrincipalRequest("key:" + created.Info.Prefix, "leaked in a public repository")),
            async () => (await attacker.GetAsync("/api/v1/models")).StatusCode);
    }

    /// <summary>
    /// Repeats <paramref name="attack"/> while <paramref name="action"/> runs; asserts that no request
    /// started after the action returned was admitted (measured, not assumed).
    /// </summary>
    private static async Task AssertNothingAdmittedAfterAsync(Func<Task> action, Func<Task<HttpStatusCode>> attack)
    {
        var done = 0;
        var admittedAfter = 0;
        var sentAfter = 0;
        using var stop = new CancellationTokenSource();
        var hammer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var startedAfter = Volatile.Read(ref done) == 1;
                var status = await attack();
                if (startedAfter)
                {
                    Interlocked.Increment(ref sentAfter);
                    if (status == HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref admittedAfter);
                    }
                }
            }
        });

        await Task.Delay(100);
        await action();
        Volatile.Write(ref done, 1);
        while (Volatile.Read(ref sentAfter) < 20 && !hammer.IsCompleted)
        {
            await Task.Delay(10);
        }

        await stop.CancelAsync();
        await hammer;
        Assert.Equal(0, admittedAfter);
        Assert.True(sentAfter >= 20);
    }

    [Fact]
    public async Task BlockNetwork_Lockdown_DisableUser_NothingAdmittedAfterTheActionReturns()
    {
        var key = (await _server.CreateKeyAsync(["models:read"])).Key;
        using var fromAttacker = _server.CreateClientFrom(Attacker, key);
        await AssertNothingAdmittedAfterAsync(
            () => ActAsync("/api/v1/containment/networks/block", new NetworkBlockRequest("127.0.9.0/24", "attack")),
            async () => (await fromAttacker.GetAsync("/api/v1/models")).StatusCode);

        using var local = _server.CreateClient(key);
        await AssertNothingAdmittedAfterAsync(
            () => ActAsync("/api/v1/containment/lockdown", new ContainmentToggleRequest(true, "intrusion")),
            async () => (await local.GetAsync("/api/v1/models")).StatusCode);
        await ActAsync("/api/v1/containment/lockdown", new ContainmentToggleRequest(false, "over"));

        await Users.CreateAsync(_server, "carol", [new RoleGrant("default", "data-scientist")]);
        using var carol = Users.Bearer(_server, (await Users.LoginAsync(_server, "carol")).AccessToken);
        await AssertNothingAdmittedAfterAsync(
            () => ActAsync("/api/v1/containment/users/carol/disable", new ContainmentActionRequest("phished")),
            async () => (await carol.GetAsync("/api/v1/models")).StatusCode);
    }

    [Fact]
    public async Task RevokeUser_And_DisableUser_TokenRefusedOnTheNextRequest()
    {
        await Users.CreateAsync(_server, "alice", [new RoleGrant("default", "data-scientist")]);
        using var aliceClient = Users.Bearer(_server, (await Users.LoginAsync(_server, "alice")).AccessToken);
        var alice = (await aliceClient.GetFromJsonAsync<WhoAmI>("/api/v1/auth/me"))!;

        await ActAsync("/api/v1/containment/revoke", new RevokePrincipalRequest(alice.Id, "credential phished"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await aliceClient.GetAsync("/api/v1/auth/me")).StatusCode);

        await Users.CreateAsync(_server, "bob", [new RoleGrant("default", "data-scientist")]);
        using var bobClient = Users.Bearer(_server, (await Users.LoginAsync(_server, "bob")).AccessToken);
        await ActAsync("/api/v1/containment/users/bob/disable", new ContainmentActionRequest("insider"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await bobClient.GetAsync("/api/v1/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Users.LoginResponseAsync(_server, "bob")).StatusCode);

        var unknown = await _officer.PostAsJsonAsync("/api/v1/containment/revoke", new RevokePrincipalRequest("user:" + Guid.NewGuid().ToString("D"), "x"));
        await ProblemAssert.IsProblemAsync(unknown, HttpStatusCode.NotFound, ErrorCodes.ContainmentNotFound);
    }

    [Fact]
    public async Task SecurityOfficer_CannotDisableOrSignOutAnAdmin_ButAnAdminCan()
    {
        using var admin = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "root", [new RoleGrant("*", "admin")]));
        var rootId = (await admin.GetFromJsonAsync<WhoAmI>("/api/v1/auth/me"))!.Id;

        var disable = await _officer.PostAsJsonAsync("/api/v1/containment/users/root/disable", new ContainmentActionRequest("coup"));
        await ProblemAssert.IsProblemAsync(disable, HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
        var revoke = await _officer.PostAsJsonAsync("/api/v1/containment/revoke", new RevokePrincipalRequest(rootId, "coup"));
        await ProblemAssert.IsProblemAsync(revoke, HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/auth/me")).StatusCode);

        var officerId = (await _officer.GetFromJsonAsync<WhoAmI>("/api/v1/auth/me"))!.Id;
        var byAdmin = await admin.PostAsJsonAsync("/api/v1/containment/revoke", new RevokePrincipalRequest(officerId, "rogue officer"));
        Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _officer.GetAsync("/api/v1/auth/me")).StatusCode);
    }

    [Fact]
    public async Task Lockdown_AdmitsOnlyMfaAdminsAndSecurityOfficers()
    {
        using var admin = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "root", [new RoleGrant("*", "admin")]));
        await Users.CreateAsync(_server, "engineer", [new RoleGrant("*", "ml-engineer")]);
        using var engineer = Users.Bearer(_server, (await Users.LoginAsync(_server, "engineer")).AccessToken);
        using var adminKey = _server.CreateClient(_server.AdminKey);
        var predictKey = (await _server.CreateKeyAsync(["predict:*"], name: "service")).Key;
        using var service = _server.CreateClient(predictKey);

        await ActAsync("/api/v1/containment/lockdown", new ContainmentToggleRequest(true, "active intrusion"));

        // The instance admin key has no second factor: during lockdown it could be the very credential that leaked.
        await ProblemAssert.IsProblemAsync(await adminKey.GetAsync("/api/v1/models"), HttpStatusCode.ServiceUnavailable, ErrorCodes.Lockdown);
        await ProblemAssert.IsProblemAsync(await engineer.GetAsync("/api/v1/models"), HttpStatusCode.ServiceUnavailable, ErrorCodes.Lockdown);
        await ProblemAssert.IsProblemAsync(await service.PostAsync("/v1/models/any:predict", JsonContent.Create(new { instances = Array.Empty<object>() })),
            HttpStatusCode.ServiceUnavailable, ErrorCodes.Lockdown);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _officer.GetAsync("/api/v1/containment")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _server.CreateClient().GetAsync("/v2/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Users.LoginResponseAsync(_server, "engineer")).StatusCode);

        var status = (await _officer.GetFromJsonAsync<ContainmentStatus>("/api/v1/containment"))!;
        Assert.True(status.Lockdown);

        await ActAsync("/api/v1/containment/lockdown", new ContainmentToggleRequest(false, "contained"));
        Assert.Equal(HttpStatusCode.OK, (await adminKey.GetAsync("/api/v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await engineer.GetAsync("/api/v1/models")).StatusCode);
    }

    [Fact]
    public async Task Freeze_RefusesTrainingImportAndPromotion_OnTheNextRequest()
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        await ActAsync("/api/v1/containment/freeze", new ContainmentToggleRequest(true, "poisoning suspected"));

        var train = await admin.PostAsJsonAsync("/api/v1/models/m/train", new TrainModelRequest(Guid.NewGuid(), "label"));
        await ProblemAssert.IsProblemAsync(train, (HttpStatusCode)423, ErrorCodes.Frozen);
        var promote = await admin.PostAsJsonAsync("/api/v1/models/m/promote", new PromoteRequest(1));
        await ProblemAssert.IsProblemAsync(promote, (HttpStatusCode)423, ErrorCodes.Frozen);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/models")).StatusCode);

        await ActAsync("/api/v1/containment/freeze", new ContainmentToggleRequest(false, "cleared"));
        var after = await admin.PostAsJsonAsync("/api/v1/models/m/promote", new PromoteRequest(1));
        Assert.NotEqual((HttpStatusCode)423, after.StatusCode);
    }

    [Fact]
    public async Task Actions_WithoutMfaOrReason_AreRefused()
    {
        using var adminKey = _server.CreateClient(_server.AdminKey);
        var response = await adminKey.PostAsJsonAsync("/api/v1/containment/lockdown", new ContainmentToggleRequest(true, "x"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, ErrorCodes.StepUpRequired);

        var noReason = await _officer.PostAsJsonAsync("/api/v1/containment/freeze", new ContainmentToggleRequest(true, " "));
        await ProblemAssert.IsProblemAsync(noReason, HttpStatusCode.BadRequest, ErrorCodes.ContainmentInvalid);
        var status = (await _officer.GetFromJsonAsync<ContainmentStatus>("/api/v1/containment"))!;
        Assert.False(status.Frozen);
        Assert.False(status.Lockdown);
    }
}

public sealed class InstanceWideKeyTests
{
    [Fact]
    public async Task InstanceWideKey_OnlyAdminsAndOnlyReadOnlyInstanceScopes_AndItCanScrape()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = server.CreateClient(server.AdminKey);

        var created = await admin.PostAsJsonAsync("/api/v1/keys", new CreateApiKeyRequest("prometheus", ["metrics:read"], server.Time.GetUtcNow().AddDays(30), InstanceWide: true));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var scraperKey = (await created.Content.ReadFromJsonAsync<CreatedApiKeyInfo>())!.Key;
        using var scraper = server.CreateClient(scraperKey);
        Assert.Equal(HttpStatusCode.OK, (await scraper.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await scraper.GetAsync("/api/v1/models")).StatusCode);

        var tooStrong = await admin.PostAsJsonAsync("/api/v1/keys", new CreateApiKeyRequest("x", ["models:write"], null, InstanceWide: true));
        await ProblemAssert.IsProblemAsync(tooStrong, HttpStatusCode.BadRequest, ErrorCodes.ScopeInvalid);

        // A project key manager cannot mint keys that reach every project.
        var manager = (await server.CreateKeyAsync(["keys:manage", "metrics:read"], name: "manager")).Key;
        using var managerClient = server.CreateClient(manager);
        var refused = await managerClient.PostAsJsonAsync("/api/v1/keys", new CreateApiKeyRequest("x", ["metrics:read"], null, InstanceWide: true));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}

public sealed class MasterKeyRotationTests
{
    private static string KeyIdOf(string sealedFile)
    {
        var bytes = File.ReadAllBytes(sealedFile);
        Assert.Equal("BWE1"u8.ToArray(), bytes[..4]);
        return System.Text.Encoding.ASCII.GetString(bytes, 5, bytes[4]);
    }

    [Fact]
    public async Task RotateMasterKey_NewDataUnderTheNewKey_OldDataReadable_AndEverythingSurvivesARestart()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = server.CreateClient(server.AdminKey);
        using var officer = Users.Bearer(server, await Users.SignedInWithMfaAsync(server, "officer", [new RoleGrant("*", "security-officer")]));
        var objects = Path.Combine(server.DataDir, "objects");
        var before = await Tabletop.ImportDatasetAsync(admin);
        var beforeFiles = Directory.GetFiles(objects, "*.bwe", SearchOption.AllDirectories).ToHashSet();
        var oldKey = KeyIdOf(beforeFiles.First());

        var rotated = await officer.PostAsJsonAsync("/api/v1/containment/rotate-master-key", new ContainmentActionRequest("key file copied by an intruder"));
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);

        var after = await Tabletop.ImportDatasetAsync(admin);
        var newFile = Directory.GetFiles(objects, "*.bwe", SearchOption.AllDirectories).First(f => !beforeFiles.Contains(f));
        var newKey = KeyIdOf(newFile);
        Assert.NotEqual(oldKey, newKey);
        var keyFile = Path.Combine(server.DataDir, "master.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.False(File.Exists(keyFile + ".rotating"));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/v1/datasets/{before}")).StatusCode);

        // A restart reads the rotated file: keys, tags and peppers derived before the rotation still hold.
        await server.App.StopAsync();
        await using var restarted = TestServer.Build(server.DataDir, server.Time);
        await restarted.StartAsync();
        using var again = TestServer.CreateClient(BulwarkServer.BoundUrl(restarted), server.Init.CertFingerprint, server.AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync($"/api/v1/datasets/{before}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync($"/api/v1/datasets/{after}")).StatusCode);
        var verified = (await (await again.PostAsync("/api/v1/audit/verify", null)).Content.ReadFromJsonAsync<AuditVerifyResult>())!;
        Assert.True(verified.Valid, verified.Reason);
        await restarted.StopAsync();
    }
}

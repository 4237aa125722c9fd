using System.Net;
using System.Net.Http.Json;
using Bulwark.Client.Contracts;
using Bulwark.Server.Tests.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Incidents;

/// <summary>
/// Attacks on the containment actions themselves: inputs written in another valid form than the canonical one (which
/// must still take effect, not answer "done" and do nothing), and a security officer trying to lock the administrators out.
/// </summary>
public sealed class ContainmentGuardTests : IAsyncLifetime
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

    private async Task ActAsync(HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RevokeUser_NonCanonicalGuidForms_KillTheLiveAccessTokenOnTheNextRequest()
    {
        Func<Guid, string>[] forms = [id => id.ToString("D").ToUpperInvariant(), id => id.ToString("B"), id => id.ToString("N"), id => id.ToString("P").ToUpperInvariant()];
        for (var i = 0; i < forms.Length; i++)
        {
            var login = "victim" + i;
            await Users.CreateAsync(_server, login, [new RoleGrant("default", "data-scientist")]);
            using var victim = Users.Bearer(_server, (await Users.LoginAsync(_server, login)).AccessToken);
            var id = (await victim.GetFromJsonAsync<WhoAmI>("/api/v1/auth/me"))!.Id;
            Assert.Equal(HttpStatusCode.OK, (await victim.GetAsync("/api/v1/auth/me")).StatusCode);

            var written = "user:" + forms[i](Guid.Parse(id.AsSpan(5)));
            Assert.NotEqual(id, written);
            var response = await _officer.PostAsJsonAsync("/api/v1/containment/revoke", new RevokePrincipalRequest(written, "credential phished"));
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());

            // "Revoked" must mean revoked: the token that was live a moment ago is refused on the very next request.
            Assert.Equal(HttpStatusCode.Unauthorized, (await victim.GetAsync("/api/v1/auth/me")).StatusCode);
            Assert.Contains(id, (await response.Content.ReadFromJsonAsync<ContainmentResult>())!.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RevokeAdmin_WrittenInUpperCase_StillRefusedForASecurityOfficer()
    {
        using var admin = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "root", [new RoleGrant("*", "admin")]));
        var rootId = (await admin.GetFromJsonAsync<WhoAmI>("/api/v1/auth/me"))!.Id;

        var response = await _officer.PostAsJsonAsync("/api/v1/containment/revoke", new RevokePrincipalRequest("user:" + rootId[5..].ToUpperInvariant(), "coup"));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/auth/me")).StatusCode);
    }

    [Theory]
    [InlineData("::ffff:127.0.9.7", "127.0.9.7/32")]
    [InlineData("::ffff:127.0.9.0/120", "127.0.9.0/24")]
    [InlineData("::FFFF:7F00:907/128", "127.0.9.7/32")]
    [InlineData("::ffff:127.0.9.200/120", "127.0.9.0/24")]
    public async Task BlockNetwork_Ipv4MappedForm_BlocksTheNextRequestFromThatClient(string written, string canonical)
    {
        var key = (await _server.CreateKeyAsync(["models:read"])).Key;
        using var fromAttacker = _server.CreateClientFrom(Attacker, key);
        Assert.Equal(HttpStatusCode.OK, (await fromAttacker.GetAsync("/api/v1/models")).StatusCode);

        var response = await _officer.PostAsJsonAsync("/api/v1/containment/networks/block", new NetworkBlockRequest(written, "copied from the audit log"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());

        await ProblemAssert.IsProblemAsync(await fromAttacker.GetAsync("/api/v1/models"), HttpStatusCode.Forbidden, ErrorCodes.NetworkBlocked);
        var status = (await _officer.GetFromJsonAsync<ContainmentStatus>("/api/v1/containment"))!;
        Assert.Equal([canonical], status.BlockedNetworks);

        // Either form lifts it: they name one network.
        await ActAsync(_officer, "/api/v1/containment/networks/unblock", new NetworkBlockRequest(canonical, "done"));
        Assert.Equal(HttpStatusCode.OK, (await fromAttacker.GetAsync("/api/v1/models")).StatusCode);
    }

    [Theory]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:127.0.0.0/120")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.0/8")]
    public async Task BlockNetwork_CoveringTheCallersOwnAddress_InAnyForm_IsRefused(string network)
    {
        var response = await _officer.PostAsJsonAsync("/api/v1/containment/networks/block", new NetworkBlockRequest(network, "test"));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, ErrorCodes.ContainmentOwnNetwork);
        Assert.Empty((await _officer.GetFromJsonAsync<ContainmentStatus>("/api/v1/containment"))!.BlockedNetworks);
    }

    [Theory]
    [InlineData("0.0.0.0/1")]
    [InlineData("128.0.0.0/2")]
    [InlineData("64.0.0.0/7")]
    [InlineData("::/1")]
    [InlineData("8000::/1")]
    [InlineData("2001:db8::/31")]
    [InlineData("::ffff:0.0.0.0/97")]
    [InlineData("::/80")]
    public async Task BlockNetwork_WiderThanTheMinimumPrefix_IsRefused(string network)
    {
        var response = await _officer.PostAsJsonAsync("/api/v1/containment/networks/block", new NetworkBlockRequest(network, "test"));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, ErrorCodes.ContainmentNetworkTooWide);
    }

    [Fact]
    public async Task SecurityOfficer_CannotCutEveryAdministratorOff_ButMayBlockNarrowRanges()
    {
        using var admin = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "root", [new RoleGrant("*", "admin")]));

        // The attack: every large range except the one holding the officer's own address.
        var own = IPAddress.Loopback.GetAddressBytes();
        var ranges = new List<string>();
        for (var prefix = 1; prefix < 8; prefix++)
        {
            var bytes = (byte[])own.Clone();
            bytes[0] = (byte)((bytes[0] ^ (0x80 >> (prefix - 1))) & (0xFF << (8 - prefix)));
            ranges.Add($"{new IPAddress(bytes)}/{prefix}");
        }

        ranges.AddRange(["::/1", "8000::/1"]);
        foreach (var range in ranges)
        {
            var response = await _officer.PostAsJsonAsync("/api/v1/containment/networks/block", new NetworkBlockRequest(range, "lock them out"));
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, ErrorCodes.ContainmentNetworkTooWide);
        }

        // A narrow block is what containment is for.
        await ActAsync(_officer, "/api/v1/containment/networks/block", new NetworkBlockRequest("127.0.9.0/24", "attacker"));

        // Even at the minimum prefix, the blocked IPv4 space has a ceiling (sixteen /8s, the /24 above included): a few
        // hundred /8s cannot add up to "everything".
        var accepted = 0;
        HttpResponseMessage? last = null;
        for (var first = 1; first < 224 && (last is null || last.IsSuccessStatusCode); first++)
        {
            if (first is 10 or 127)
            {
                continue;
            }

            last = await _officer.PostAsJsonAsync("/api/v1/containment/networks/block", new NetworkBlockRequest($"{first}.0.0.0/8", "lock them out"));
            accepted += last.IsSuccessStatusCode ? 1 : 0;
        }

        Assert.NotNull(last);
        await ProblemAssert.IsProblemAsync(last, HttpStatusCode.BadRequest, ErrorCodes.ContainmentNetworkTooWide);
        Assert.InRange(accepted, 1, 15);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/containment")).StatusCode);

        // Lifting a block makes room again.
        await ActAsync(_officer, "/api/v1/containment/networks/unblock", new NetworkBlockRequest("1.0.0.0/8", "false alarm"));
        await ActAsync(_officer, "/api/v1/containment/networks/block", new NetworkBlockRequest("127.0.10.0/24", "second attacker"));
    }

    [Fact]
    public async Task SecurityOfficer_CannotRevokeTheInstanceAdminKey_OrAnInstanceWideOrAdminScopedKey_ButAnAdminCan()
    {
        using var adminKey = _server.CreateClient(_server.AdminKey);
        var keys = (await adminKey.GetFromJsonAsync<ApiKeyInfo[]>("/api/v1/keys"))!;
        var instanceAdmin = keys.Single(k => k.Project == "*" && k.Scopes.Contains("admin"));
        var scraperResponse = await adminKey.PostAsJsonAsync("/api/v1/keys", new CreateApiKeyRequest("prometheus", ["metrics:read"], _server.Time.GetUtcNow().AddDays(30), InstanceWide: true));
        var scraper = (await scraperResponse.Content.ReadFromJsonAsync<CreatedApiKeyInfo>())!;
        var projectAdmin = await _server.CreateKeyAsync(["admin"], name: "project-admin");
        var keyManager = await _server.CreateKeyAsync(["keys:manage"], name: "key-manager");

        foreach (var prefix in new[] { instanceAdmin.Prefix, scraper.Info.Prefix, projectAdmin.Info.Prefix, keyManager.Info.Prefix })
        {
            var refused = await _officer.PostAsJsonAsync("/api/v1/containment/revoke", new RevokePrincipalRequest("key:" + prefix, "coup"));
            await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
        }

        Assert.Equal(HttpStatusCode.OK, (await adminKey.GetAsync("/api/v1/models")).StatusCode);
        using (var scraperClient = _server.CreateClient(scraper.Key))
        {
            Assert.Equal(HttpStatusCode.OK, (await scraperClient.GetAsync("/metrics")).StatusCode);
        }

        // The refusals are on the record.
        await using (var scope = _server.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Core.Storage.BulwarkDbContext>();
            Assert.Equal(4, await db.AuditEvents.CountAsync(e => e.Action == "containment.revoke" && e.Outcome == "denied" && e.Code == Core.Audit.AuditCodes.AccessDenied));
        }

        // An ordinary leaked key is still the officer's to revoke; the instance-wide ones are an admin's.
        var ordinary = await _server.CreateKeyAsync(["models:read"], name: "leaked");
        await ActAsync(_officer, "/api/v1/containment/revoke", new RevokePrincipalRequest("key:" + ordinary.Info.Prefix, "leaked"));
        using var rootClient = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "root", [new RoleGrant("*", "admin")]));
        await ActAsync(rootClient, "/api/v1/containment/revoke", new RevokePrincipalRequest("key:" + scraper.Info.Prefix, "scraper key leaked"));
        using var revokedScraper = _server.CreateClient(scraper.Key);
        Assert.Equal(HttpStatusCode.Unauthorized, (await revokedScraper.GetAsync("/metrics")).StatusCode);
    }
}

using System.Net;
using System.Net.Http.Json;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Storage;
using Bulwark.Server.Tests.Identity;
using Bulwark.Server.Tests.Incidents;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Crypto;

/// <summary>The key ring's lifecycle over real HTTPS: rotate, disable, rewrap, minimum version, four-eyes destroy.</summary>
public sealed class KeyRingTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private HttpClient _admin = null!;
    private HttpClient _secondAdmin = null!;
    private HttpClient _apiAdmin = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _admin = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "keyadmin", [new RoleGrant("*", "admin")]));
        _secondAdmin = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "keyadmin2", [new RoleGrant("*", "admin")]));
        _apiAdmin = _server.CreateClient(_server.AdminKey);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _secondAdmin.Dispose();
        _apiAdmin.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<T> OkAsync<T>(Task<HttpResponseMessage> call)
    {
        var response = await call;
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }

    private Task<KeyRingInfo> RingAsync() => OkAsync<KeyRingInfo>(_admin.GetAsync("/api/v1/keyring"));

    private Task<KeyVersionInfo> RotateAsync() => OkAsync<KeyVersionInfo>(_admin.PostAsJsonAsync("/api/v1/keyring/rotate", new KeyRingActionRequest("test rotation")));

    [Fact]
    public async Task Census_EveryEnvelopeInTheDataDirectory_IsInTheRingsInventory()
    {
        // Envelopes in as many stores as a short test can reach: files, dataset schema, TOTP secrets, signing keys.
        await Tabletop.ImportDatasetAsync(_apiAdmin);
        var census = await EnvelopeCensus.TakeAsync(_server.DataDir);
        var inventory = await OkAsync<KeyRingInventoryInfo>(_admin.GetAsync("/api/v1/keyring/inventory"));

        foreach (var (store, counts) in census)
        {
            var listed = inventory.Stores.SingleOrDefault(s => s.Store == store);
            Assert.True(listed is not null, $"Envelopes in {store} are not covered by the key ring's inventory and rewrap.");
            Assert.Equal(counts.OrderBy(p => p.Key), listed.ByVersion.OrderBy(p => p.Key));
        }

        Assert.Contains("db/users.TotpSecret", census.Keys);
        Assert.Contains("db/users.LoginSealed", census.Keys);
        Assert.Contains("db/users.DisplayNameSealed", census.Keys);
        Assert.Contains("db/signing_keys.SealedPrivateKey", census.Keys);
        Assert.Contains("db/audit_signing_keys.SealedPrivateKey", census.Keys);
        Assert.Contains("db/datasets.SchemaJson", census.Keys);
    }

    [Fact]
    public async Task Lifecycle_RotateRewrapRaiseMinimumDestroy_LeavesNothingUnderRetiredVersions()
    {
        var before = await Tabletop.ImportDatasetAsync(_apiAdmin);
        var v1 = (await RingAsync()).Primary;
        Assert.True((await RingAsync()).Versions.Single().Objects > 0);

        var v2 = (await RotateAsync()).Id;
        var after = await Tabletop.ImportDatasetAsync(_apiAdmin);
        Assert.Equal(HttpStatusCode.OK, (await _apiAdmin.GetAsync($"/api/v1/datasets/{before}")).StatusCode);
        var census = await EnvelopeCensus.TakeAsync(_server.DataDir);
        Assert.Contains(v1, census["files/objects"].Keys);
        Assert.Contains(v2, census["files/objects"].Keys);

        // Retiring v1 while objects remain under it is refused, whatever the order.
        await ProblemAssert.IsProblemAsync(await _admin.PostAsJsonAsync($"/api/v1/keyring/versions/{v1}/disable", new KeyRingActionRequest()), HttpStatusCode.Conflict,
            ErrorCodes.KeyObjectsRemain);
        await ProblemAssert.IsProblemAsync(await _admin.PostAsJsonAsync("/api/v1/keyring/minimum-version", new KeyRingMinimumRequest(2)), HttpStatusCode.Conflict,
            ErrorCodes.KeyObjectsRemain);

        var rewrap = await OkAsync<KeyRingRewrapInfo>(_admin.PostAsJsonAsync("/api/v1/keyring/rewrap", new KeyRingActionRequest("retire v1")));
        Assert.Equal(0, rewrap.Failed);
        Assert.True(rewrap.Rewrapped > 0);
        Assert.Equal([v2], rewrap.After.Keys);

        // Proven by raw headers, not by the ring's own word.
        census = await EnvelopeCensus.TakeAsync(_server.DataDir);
        Assert.All(census, store => Assert.Equal([v2], store.Value.Keys));
        Assert.Equal(0, (await OkAsync<KeyRingRewrapInfo>(_admin.PostAsJsonAsync("/api/v1/keyring/rewrap", new KeyRingActionRequest()))).Rewrapped);

        await OkAsync<KeyRingMinimumRequest>(_admin.PostAsJsonAsync("/api/v1/keyring/minimum-version", new KeyRingMinimumRequest(2)));
        Assert.Equal(HttpStatusCode.OK, (await _apiAdmin.GetAsync($"/api/v1/datasets/{before}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _apiAdmin.GetAsync($"/api/v1/datasets/{after}")).StatusCode);

        // v1 is the derivation root of peppers and row tags: disabled for envelopes, never destroyed.
        await OkAsync<KeyVersionInfo>(_admin.PostAsJsonAsync($"/api/v1/keyring/versions/{v1}/disable", new KeyRingActionRequest()));
        await ProblemAssert.IsProblemAsync(await _admin.PostAsJsonAsync($"/api/v1/keyring/versions/{v1}/destroy", new KeyDestroyRequestBody(v1, "retire")),
            HttpStatusCode.Conflict, ErrorCodes.KeyVersionDerivationRoot);

        // Destroying v2: rotate and rewrap off it, disable it, then two different administrators.
        var v3 = (await RotateAsync()).Id;
        await OkAsync<KeyRingRewrapInfo>(_admin.PostAsJsonAsync("/api/v1/keyring/rewrap", new KeyRingActionRequest()));
        await ProblemAssert.IsProblemAsync(await _admin.PostAsJsonAsync($"/api/v1/keyring/versions/{v2}/destroy", new KeyDestroyRequestBody(v2, "retire")),
            HttpStatusCode.Conflict, ErrorCodes.KeyVersionInvalidState);
        await OkAsync<KeyVersionInfo>(_admin.PostAsJsonAsync($"/api/v1/keyring/versions/{v2}/disable", new KeyRingActionRequest()));
        await ProblemAssert.IsProblemAsync(await _admin.PostAsJsonAsync($"/api/v1/keyring/versions/{v2}/destroy", new KeyDestroyRequestBody(v3, "retire")),
            HttpStatusCode.BadRequest, ErrorCodes.KeyDestroyConfirmation);
        Assert.Equal(HttpStatusCode.Accepted, (await _admin.PostAsJsonAsync($"/api/v1/keyring/versions/{v2}/destroy", new KeyDestroyRequestBody(v2, "retire"))).StatusCode);
        Assert.Equal(KeyVersionStates.Disabled, (await RingAsync()).Versions.Single(v => v.Id == v2).State);
        await ProblemAssert.IsProblemAsync(await _admin.PostAsJsonAsync($"/api/v1/keyring/versions/{v2}/destroy/approve", new KeyRingActionRequest()),
            HttpStatusCode.Forbidden, ErrorCodes.KeyDestroySameApprover);
        await OkAsync<KeyVersionInfo>(_secondAdmin.PostAsJsonAsync($"/api/v1/keyring/versions/{v2}/destroy/approve", new KeyRingActionRequest()));

        var ring = await RingAsync();
        Assert.Equal(KeyVersionStates.Destroyed, ring.Versions.Single(v => v.Id == v2).State);
        Assert.Equal(v3, ring.Primary);
        Assert.Null(ring.PendingDestroy);
        Assert.Equal("file", ring.Provider);
        Assert.Contains(ring.SigningKeys, k => k.Purpose == "jwt");
        Assert.Equal(HttpStatusCode.OK, (await _apiAdmin.GetAsync($"/api/v1/datasets/{before}")).StatusCode);

        List<int> codes;
        await using (var db = await _server.App.Services.GetRequiredService<IDbContextFactory<BulwarkDbContext>>().CreateDbContextAsync())
        {
            codes = await db.AuditEvents.Select(e => e.Code).ToListAsync();
        }

        foreach (var code in new[] { AuditCodes.MasterKeyRotated, AuditCodes.KeyRingRewrapped, AuditCodes.KeyRingMinimumVersionSet, AuditCodes.KeyVersionDisabled,
                     AuditCodes.KeyDestroyRequested, AuditCodes.KeyVersionDestroyed })
        {
            Assert.Contains(code, codes);
        }
    }

    [Fact]
    public async Task DisabledVersion_ItsDataAnswers503KeyDisabled_NamingTheVersion_NeverA500()
    {
        var dataset = await Tabletop.ImportDatasetAsync(_apiAdmin);
        var v1 = (await RingAsync()).Primary;
        await RotateAsync();

        await OkAsync<KeyVersionInfo>(_admin.PostAsJsonAsync($"/api/v1/keyring/versions/{v1}/disable", new KeyRingActionRequest("test", Force: true)));
        var refused = await _apiAdmin.GetAsync($"/api/v1/datasets/{dataset}");

        var body = await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.ServiceUnavailable, ErrorCodes.CryptoKeyDisabled);
        Assert.Contains(v1, body.GetProperty("detail").GetString(), StringComparison.Ordinal);

        await OkAsync<KeyVersionInfo>(_admin.PostAsJsonAsync($"/api/v1/keyring/versions/{v1}/enable", new KeyRingActionRequest()));
        Assert.Equal(HttpStatusCode.OK, (await _apiAdmin.GetAsync($"/api/v1/datasets/{dataset}")).StatusCode);
    }

    [Fact]
    public async Task Changes_NeedAnInstanceAdministratorSignedInWithMfa()
    {
        using var officer = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "officer", [new RoleGrant("*", "security-officer")]));
        var primary = (await RingAsync()).Primary;

        Assert.Equal(HttpStatusCode.Forbidden, (await officer.PostAsJsonAsync("/api/v1/keyring/rotate", new KeyRingActionRequest())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.GetAsync("/api/v1/keyring")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _apiAdmin.PostAsJsonAsync("/api/v1/keyring/rotate", new KeyRingActionRequest())).StatusCode);
        Assert.Equal(primary, (await RingAsync()).Primary);

        await ProblemAssert.IsProblemAsync(await _admin.PostAsJsonAsync($"/api/v1/keyring/versions/{primary}/disable", new KeyRingActionRequest(Force: true)),
            HttpStatusCode.Conflict, ErrorCodes.KeyVersionIsPrimary);
        await ProblemAssert.IsProblemAsync(await _admin.PostAsJsonAsync("/api/v1/keyring/versions/k00000000/enable", new KeyRingActionRequest()),
            HttpStatusCode.NotFound, ErrorCodes.KeyVersionNotFound);
        await ProblemAssert.IsProblemAsync(await _admin.PostAsJsonAsync("/api/v1/keyring/minimum-version", new KeyRingMinimumRequest(7)),
            HttpStatusCode.BadRequest, ErrorCodes.KeyRingInvalid);
        await ProblemAssert.IsProblemAsync(await _admin.PostAsJsonAsync("/api/v1/keyring/rotate", new KeyRingActionRequest(new string('x', 501))),
            HttpStatusCode.BadRequest, ErrorCodes.KeyRingInvalid);
    }
}

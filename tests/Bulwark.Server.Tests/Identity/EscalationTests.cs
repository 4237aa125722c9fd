using System.Net;
using System.Net.Http.Json;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Storage;
using Bulwark.Server.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Identity;

/// <summary>
/// Paths from one privilege to more, each attempted: a security officer growing its own roles or an accomplice's,
/// locking admins out with a policy, a keys:manage holder cloning itself through OAuth clients, and races that would
/// turn per-guess limits into per-batch limits.
/// </summary>
public sealed class EscalationTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private string _officer = "";

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _officer = await Users.SignedInWithMfaAsync(_server, "sec", [new RoleGrant("*", "security-officer")]);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private HttpClient Officer() => Users.Bearer(_server, _officer);

    [Theory]
    [InlineData("*", "ml-engineer")]
    [InlineData("default", "approver")]
    [InlineData("*", "admin")]
    public async Task SecurityOfficer_CannotGiveItselfRolesWhosePermissionsItLacks(string project, string role)
    {
        using var officer = Officer();
        var response = await officer.PostAsJsonAsync("/api/v1/users/sec/roles", new RoleGrant(project, role));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "auth.forbidden");
        var me = await officer.GetFromJsonAsync<WhoAmI>("/api/v1/auth/me");
        Assert.DoesNotContain(me!.Permissions, p => p is "models:train" or "models:promote" or "datasets:write");
    }

    [Fact]
    public async Task SecurityOfficer_CannotCreateAnAccompliceWithDataRolesOrHighClearance()
    {
        using var officer = Officer();
        var withRoles = await officer.PostAsJsonAsync("/api/v1/users",
            new CreateUserRequest("mule", "Mule", Users.StrongPassword, null, [new RoleGrant("*", "ml-engineer"), new RoleGrant("*", "approver")]));
        await ProblemAssert.IsProblemAsync(withRoles, HttpStatusCode.Forbidden, "auth.forbidden");
        var highClearance = await officer.PostAsJsonAsync("/api/v1/users", new CreateUserRequest("mule", "Mule", Users.StrongPassword, "restricted"));
        await ProblemAssert.IsProblemAsync(highClearance, HttpStatusCode.Forbidden, "auth.forbidden");

        // What a security officer may do: an auditor (every permission of which it holds).
        var auditor = await officer.PostAsJsonAsync("/api/v1/users", new CreateUserRequest("audrey", "Audrey", Users.StrongPassword, null, [new RoleGrant("default", "auditor")]));
        Assert.Equal(HttpStatusCode.Created, auditor.StatusCode);
        await using var scope = _server.App.Services.CreateAsyncScope();
        var refusals = await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().AuditEvents.AsNoTracking()
            .Where(e => e.Code == AuditCodes.AccessDenied && e.Action == "user.create").CountAsync();
        Assert.Equal(2, refusals);
    }

    [Fact]
    public async Task SecurityOfficer_CannotDisableDeleteOrSignOutAnAdmin()
    {
        await Users.CreateAsync(_server, "boss", [new RoleGrant("*", "admin")]);
        using var officer = Officer();
        await ProblemAssert.IsProblemAsync(await officer.PostAsync("/api/v1/users/boss/disable", null), HttpStatusCode.Forbidden, "auth.forbidden");
        await ProblemAssert.IsProblemAsync(await officer.DeleteAsync("/api/v1/users/boss"), HttpStatusCode.Forbidden, "auth.forbidden");
        await ProblemAssert.IsProblemAsync(await officer.DeleteAsync("/api/v1/users/boss/sessions"), HttpStatusCode.Forbidden, "auth.forbidden");
        await ProblemAssert.IsProblemAsync(await officer.PostAsync("/api/v1/users/boss/mfa/reset", null), HttpStatusCode.Forbidden, "auth.forbidden");
        await ProblemAssert.IsProblemAsync(await officer.DeleteAsync("/api/v1/users/boss/roles/*/admin"), HttpStatusCode.Forbidden, "auth.forbidden");
    }

    [Fact]
    public async Task SecurityOfficer_CannotPermitItselfWhatItsRoleLacks()
    {
        const string grab = """
            policies:
              - id: grab
                effect: permit
                action: "*"
                when: principal.id == "x"
            """;
        using var officer = Officer();
        var response = await officer.PutAsJsonAsync("/api/v1/policies", new PutPolicyRequest(grab));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "auth.forbidden");
        Assert.Equal(0, (await officer.GetFromJsonAsync<PolicyDocumentInfo>("/api/v1/policies"))!.Version);
    }

    [Fact]
    public async Task HostilePolicy_CannotLockTheAdministratorsOut()
    {
        var admin = await Users.SignedInWithMfaAsync(_server, "root", [new RoleGrant("*", "admin")]);
        const string lockout = """
            policies:
              - id: only-sec
                effect: forbid
                unless: principal.id == "nobody-at-all"
            """;
        using var officer = Officer();
        Assert.Equal(HttpStatusCode.OK, (await officer.PutAsJsonAsync("/api/v1/policies", new PutPolicyRequest(lockout))).StatusCode);

        using var root = Users.Bearer(_server, admin);
        Assert.Equal(HttpStatusCode.Forbidden, (await root.GetAsync("/api/v1/users")).StatusCode);
        var repaired = await root.PutAsJsonAsync("/api/v1/policies", new PutPolicyRequest("policies: []"));
        Assert.True(repaired.StatusCode == HttpStatusCode.OK, await repaired.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await root.GetAsync("/api/v1/users")).StatusCode);
    }

    [Fact]
    public async Task MembershipInsertedIntoTheDatabase_GrantsNothing()
    {
        await Users.CreateAsync(_server, "forger");
        var tokens = await Users.LoginAsync(_server, "forger");
        using var forger = Users.Bearer(_server, tokens.AccessToken);
        var me = (await forger.GetFromJsonAsync<WhoAmI>("/api/v1/auth/me"))!;
        Assert.Equal(HttpStatusCode.NotFound, (await forger.GetAsync("/api/v1/datasets")).StatusCode);

        // Someone with write access to the database file, but not the master key, adds a role.
        await using (var scope = _server.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO memberships (Id, PrincipalId, ProjectId, Role, CreatedBy, CreatedAt, IntegrityTag) VALUES ({0}, {1}, 'default', 'auditor', 'system', 0, {2})",
                Guid.NewGuid().ToString("D").ToUpperInvariant(), me.Id, new byte[32]);
        }

        _server.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.NotFound, (await forger.GetAsync("/api/v1/datasets")).StatusCode);
        Assert.Empty((await forger.GetFromJsonAsync<WhoAmI>("/api/v1/auth/me"))!.Roles);

        // The genuine grant works, so the refusal above is the tag's doing.
        using var admin = _server.CreateClient(_server.AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/api/v1/users/forger/roles", new RoleGrant("default", "auditor"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await forger.GetAsync("/api/v1/datasets")).StatusCode);
    }

    [Fact]
    public async Task KeysManageHolder_CannotCloneItselfThroughAnOAuthClient()
    {
        using var officer = Officer();
        officer.DefaultRequestHeaders.Add(ProjectResolutionMiddleware.ProjectHeader, "default");
        var response = await officer.PostAsJsonAsync("/api/v1/clients", new CreateClientRequest("persist", ["keys:manage"]));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "auth.forbidden");
    }

    [Fact]
    public async Task ParallelWrongPasswords_EachCountsTowardsTheLockout()
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/projects", new CreateProjectRequest("cards", null, "pci-dss-4"))).StatusCode);
        await Users.CreateAsync(_server, "victim", [new RoleGrant("cards", "auditor")]);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Users.LoginResponseAsync(_server, "victim", "parallel-guess-number-" + i)));

        // Every guess that was checked counted; the rest arrived during the backoff and were refused unchecked.
        await using var scope = _server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
        var index = scope.ServiceProvider.GetRequiredService<Bulwark.Core.Identity.PersonalFields>().LoginIndex("victim");
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.LoginIndex == index);
        var failures = await db.AuditEvents.AsNoTracking().Where(e => e.Code == AuditCodes.LoginFailed && e.Resource == "user/victim").Select(e => e.Details).ToListAsync();
        var checkedGuesses = failures.Count(d => d.Contains("\"password\"", StringComparison.Ordinal));
        Assert.Equal(10, failures.Count);
        Assert.Equal(checkedGuesses, user.FailedLogins);
        Assert.True(user.FailedLogins >= 5, $"only {user.FailedLogins} failures counted");
        Assert.NotNull(user.LockedUntil);
        await ProblemAssert.IsProblemAsync(await Users.LoginResponseAsync(_server, "victim"), HttpStatusCode.Unauthorized, "auth.login-failed");
    }

    [Fact]
    public async Task ParallelSignInsWithOneTotpCode_OnlyOneSucceeds()
    {
        await Users.CreateAsync(_server, "twin", [new RoleGrant("default", "auditor")]);
        var (secret, _) = await Users.EnrolTotpAsync(_server, (await Users.LoginAsync(_server, "twin")).AccessToken);
        _server.Time.Advance(TimeSpan.FromSeconds(30));
        var code = Users.Code(_server, secret);

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Users.LoginResponseAsync(_server, "twin", code: code)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.DoesNotContain(responses, r => r.StatusCode == HttpStatusCode.InternalServerError);
    }

    [Theory]
    [InlineData("text/plain", "grant_type=client_credentials")]
    [InlineData(null, "")]
    public async Task TokenEndpoint_NotAForm_400Not500(string? contentType, string body)
    {
        using var client = _server.CreateClient();
        using var content = new StringContent(body);
        content.Headers.ContentType = contentType is null ? null : new(contentType);
        var response = await client.PostAsync("/oauth/token", content);
        Assert.InRange((int)response.StatusCode, 400, 499);
    }

    [Fact]
    public async Task NullElementsInLists_400Not500()
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/api/v1/clients", TrainedJson("{\"name\":\"x\",\"scopes\":[null]}"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/api/v1/users", TrainedJson("{\"login\":\"nul\",\"displayName\":\"N\",\"password\":\"amber-lantern-orbit-quietly-57\",\"roles\":[null]}"))).StatusCode);
    }

    [Fact]
    public async Task ProbingProjects_IsRateLimitedAndAuditedSparingly()
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        for (var i = 0; i < 20; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/datasets");
            request.Headers.Add(ProjectResolutionMiddleware.ProjectHeader, "probe-" + i);
            Assert.Equal(HttpStatusCode.NotFound, (await admin.SendAsync(request)).StatusCode);
        }

        await using var scope = _server.App.Services.CreateAsyncScope();
        var audited = await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().AuditEvents.AsNoTracking().CountAsync(e => e.Action == "auth.project");
        Assert.Equal(1, audited);
    }

    private static StringContent TrainedJson(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}

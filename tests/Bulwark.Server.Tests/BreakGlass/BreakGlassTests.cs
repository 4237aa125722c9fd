using System.Net;
using System.Net.Http.Json;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Incidents;
using Bulwark.Core.Storage;
using Bulwark.Server.Authentication;
using Bulwark.Server.Tests.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.BreakGlass;

/// <summary>
/// Emergency access attacked from every side: people who may not break glass, reasons that are empty or disguised,
/// durations beyond the cap, elevation leaking into another project or outliving its expiry, ending someone else's
/// session, and the incident and audit trail every session must leave.
/// </summary>
public sealed class BreakGlassTests : IAsyncLifetime
{
    private const string Reason = "Patient 4711 deteriorating, on-call model owner unreachable";
    private TestServer _server = null!;
    private string _clinician = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Bulwark:BreakGlass:EligibleRoles:0"] = "clinician",
            ["Bulwark:BreakGlass:MaxDuration"] = "00:30:00",
        });
        using var admin = _server.CreateClient(_server.AdminKey);
        foreach (var project in new[] { "ward", "clinic" })
        {
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/projects", new CreateProjectRequest(project))).StatusCode);
        }

        // Defining a role is a step-up action: an administrator signed in with MFA, not the init key.
        using var root = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "root", [new RoleGrant("*", "admin")]));
        var role = await root.PostAsJsonAsync("/api/v1/roles", new DefineRoleRequest("clinician", ["models:read"]));
        Assert.True(role.IsSuccessStatusCode, await role.Content.ReadAsStringAsync());
        _clinician = await Users.SignedInWithMfaAsync(_server, "nurse", [new RoleGrant("ward", "clinician"), new RoleGrant("clinic", "clinician")]);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private HttpClient In(string token, string project)
    {
        var client = Users.Bearer(_server, token);
        client.DefaultRequestHeaders.Add(ProjectResolutionMiddleware.ProjectHeader, project);
        return client;
    }

    private static async Task<BreakGlassSessionInfo> StartAsync(HttpClient client, string reason = Reason, int? minutes = null)
    {
        var response = await client.PostAsJsonAsync("/api/v1/break-glass", new BreakGlassStartRequest(reason, minutes));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<BreakGlassSessionInfo>())!;
    }

    private async Task<List<AuditEvent>> AuditAsync(int code)
    {
        await using var db = await _server.App.Services.GetRequiredService<IDbContextFactory<BulwarkDbContext>>().CreateDbContextAsync();
        return await db.AuditEvents.AsNoTracking().Where(e => e.Code == code).OrderBy(e => e.Sequence).ToListAsync();
    }

    [Fact]
    public async Task Start_EligibleUser_GrantsPermissionsInItsProjectOnly_AndMarksEveryRequest()
    {
        using var ward = In(_clinician, "ward");
        using var clinic = In(_clinician, "clinic");
        Assert.Equal(HttpStatusCode.Forbidden, (await ward.GetAsync("/api/v1/datasets")).StatusCode);

        var session = await StartAsync(ward, minutes: 10);
        Assert.True(session.Active);
        Assert.Equal("ward", session.Project);
        Assert.Contains("datasets:read", session.Permissions);

        Assert.Equal(HttpStatusCode.OK, (await ward.GetAsync("/api/v1/datasets")).StatusCode);

        // The same person in another project gains nothing: the elevation is bound to the project it was granted in.
        Assert.Equal(HttpStatusCode.Forbidden, (await clinic.GetAsync("/api/v1/datasets")).StatusCode);

        var started = Assert.Single(await AuditAsync(AuditCodes.BreakGlassStarted));
        Assert.Contains(Reason, started.Details, StringComparison.Ordinal);
        Assert.Contains("\"severity\":\"high\"", started.Details, StringComparison.Ordinal);
        Assert.Equal("ward", started.ProjectId);

        var marked = await AuditAsync(AuditCodes.BreakGlassRequest);
        var request = Assert.Single(marked);
        Assert.EndsWith("+break-glass", request.AuthMethod, StringComparison.Ordinal);
        Assert.Contains("/api/v1/datasets", request.Details, StringComparison.Ordinal);
        Assert.Contains(session.Id, request.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_OpensAHighSeverityIncidentThroughDetection()
    {
        // The worker's first run takes what is already in the ledger as history; the session must be news.
        var detection = _server.App.Services.GetRequiredService<DetectionWorker>();
        await detection.RunOnceAsync();
        using var ward = In(_clinician, "ward");
        await StartAsync(ward);
        Assert.Equal(1, await detection.RunOnceAsync());

        using var admin = _server.CreateClient(_server.AdminKey);
        var incidents = (await admin.GetFromJsonAsync<IncidentSummary[]>("/api/v1/incidents"))!;
        var incident = Assert.Single(incidents, i => i.Rule == "access.break-glass");
        Assert.Equal("high", incident.Severity);
        Assert.Equal("ward", incident.Project);
    }

    [Fact]
    public async Task Session_AfterExpiry_RequestsAreDeniedAndTheExpiryIsAudited()
    {
        using var ward = In(_clinician, "ward");
        var session = await StartAsync(ward, minutes: 2);
        Assert.Equal(HttpStatusCode.OK, (await ward.GetAsync("/api/v1/datasets")).StatusCode);

        _server.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.Forbidden, (await ward.GetAsync("/api/v1/datasets")).StatusCode);

        var expired = Assert.Single(await AuditAsync(AuditCodes.BreakGlassExpired));
        Assert.Equal("break-glass/" + session.Id, expired.Resource);

        using var admin = _server.CreateClient(_server.AdminKey);
        var listed = Assert.Single((await admin.GetFromJsonAsync<BreakGlassSessionInfo[]>("/api/v1/break-glass"))!);
        Assert.False(listed.Active);
        Assert.Equal("expiry", listed.EndedBy);
        Assert.Equal(1, listed.Requests);

        // A new emergency needs a new, reasoned request: the old one cannot be revived.
        Assert.Empty((await admin.GetFromJsonAsync<BreakGlassSessionInfo[]>("/api/v1/break-glass?active=true"))!);
    }

    [Fact]
    public async Task End_ByHolder_TakesEffectOnTheNextRequest()
    {
        using var ward = In(_clinician, "ward");
        var session = await StartAsync(ward);
        var ended = await ward.PostAsync($"/api/v1/break-glass/{session.Id}/end", null);
        Assert.True(ended.StatusCode == HttpStatusCode.OK, await ended.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await ward.GetAsync("/api/v1/datasets")).StatusCode);

        await ProblemAssert.IsProblemAsync(await ward.PostAsync($"/api/v1/break-glass/{session.Id}/end", null), HttpStatusCode.Conflict, ErrorCodes.BreakGlassEnded);
        Assert.Single(await AuditAsync(AuditCodes.BreakGlassEnded));
    }

    [Fact]
    public async Task End_SomeoneElsesSession_NotFoundUnlessSecurityOfficer()
    {
        using var ward = In(_clinician, "ward");
        var session = await StartAsync(ward);

        var colleague = await Users.SignedInWithMfaAsync(_server, "porter", [new RoleGrant("ward", "clinician")]);
        using (var other = In(colleague, "ward"))
        {
            await ProblemAssert.IsProblemAsync(await other.PostAsync($"/api/v1/break-glass/{session.Id}/end", null), HttpStatusCode.NotFound, ErrorCodes.BreakGlassNotFound);
        }

        Assert.Equal(HttpStatusCode.OK, (await ward.GetAsync("/api/v1/datasets")).StatusCode);
        using var officer = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "officer", [new RoleGrant("*", "security-officer")]));
        var ended = await officer.PostAsync($"/api/v1/break-glass/{session.Id}/end", null);
        Assert.True(ended.StatusCode == HttpStatusCode.OK, await ended.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await ward.GetAsync("/api/v1/datasets")).StatusCode);
        Assert.StartsWith("user:", (await ended.Content.ReadFromJsonAsync<BreakGlassSessionInfo>())!.EndedBy, StringComparison.Ordinal);

        await ProblemAssert.IsProblemAsync(await officer.PostAsync("/api/v1/break-glass/not-a-guid/end", null), HttpStatusCode.NotFound, ErrorCodes.BreakGlassNotFound);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("emergency")]
    [InlineData("Patient deteriorating\nIGNORE PREVIOUS LOG LINES")]
    [InlineData("Patient deteriorating fast \u202Eesrun eht llac")]
    [InlineData("Patient deteriorating fast\u200B and nobody answers")]
    public async Task Start_BadReason_Rejected400WithoutElevation(string reason)
    {
        using var ward = In(_clinician, "ward");
        await ProblemAssert.IsProblemAsync(await ward.PostAsJsonAsync("/api/v1/break-glass", new BreakGlassStartRequest(reason)),
            HttpStatusCode.BadRequest, ErrorCodes.BreakGlassInvalid);
        Assert.Equal(HttpStatusCode.Forbidden, (await ward.GetAsync("/api/v1/datasets")).StatusCode);
        Assert.Empty(await AuditAsync(AuditCodes.BreakGlassStarted));
    }

    [Theory]
    [InlineData(31)]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(int.MaxValue)]
    public async Task Start_DurationOutsideTheCap_Rejected400(int minutes)
    {
        using var ward = In(_clinician, "ward");
        await ProblemAssert.IsProblemAsync(await ward.PostAsJsonAsync("/api/v1/break-glass", new BreakGlassStartRequest(Reason, minutes)),
            HttpStatusCode.BadRequest, ErrorCodes.BreakGlassInvalid);
    }

    [Fact]
    public async Task Start_Twice_Conflict()
    {
        using var ward = In(_clinician, "ward");
        await StartAsync(ward);
        await ProblemAssert.IsProblemAsync(await ward.PostAsJsonAsync("/api/v1/break-glass", new BreakGlassStartRequest(Reason)),
            HttpStatusCode.Conflict, ErrorCodes.BreakGlassAlreadyActive);
    }

    [Fact]
    public async Task Start_NotEligibleRole_Denied403AndAudited()
    {
        var approver = await Users.SignedInWithMfaAsync(_server, "approver", [new RoleGrant("ward", "approver")]);
        using var ward = In(approver, "ward");
        await ProblemAssert.IsProblemAsync(await ward.PostAsJsonAsync("/api/v1/break-glass", new BreakGlassStartRequest(Reason)),
            HttpStatusCode.Forbidden, ErrorCodes.BreakGlassNotEligible);
        var refused = Assert.Single(await AuditAsync(AuditCodes.BreakGlassRefused));
        Assert.Equal("denied", refused.Outcome);
    }

    [Fact]
    public async Task Start_WithoutMfaOrWithAnApiKey_Forbidden()
    {
        await Users.CreateAsync(_server, "nomfa", [new RoleGrant("ward", "clinician")]);
        using (var noMfa = In((await Users.LoginAsync(_server, "nomfa")).AccessToken, "ward"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await noMfa.PostAsJsonAsync("/api/v1/break-glass", new BreakGlassStartRequest(Reason))).StatusCode);
        }

        using var admin = _server.CreateClient(_server.AdminKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.PostAsJsonAsync("/api/v1/break-glass", new BreakGlassStartRequest(Reason))).StatusCode);
        Assert.Empty(await AuditAsync(AuditCodes.BreakGlassStarted));
    }

    [Fact]
    public async Task Session_HolderLosesTheEligibleRole_ElevationStopsOnTheNextRequest()
    {
        using var ward = In(_clinician, "ward");
        await StartAsync(ward, minutes: 10);
        Assert.Equal(HttpStatusCode.OK, (await ward.GetAsync("/api/v1/datasets")).StatusCode);

        // Still a member of the ward (an observer), no longer a clinician there.
        using var root = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "root2", [new RoleGrant("*", "admin")]));
        var role = await root.PostAsJsonAsync("/api/v1/roles", new DefineRoleRequest("observer", ["models:read"]));
        Assert.True(role.IsSuccessStatusCode, await role.Content.ReadAsStringAsync());
        var granted = await root.PostAsJsonAsync("/api/v1/users/nurse/roles", new RoleGrant("ward", "observer"));
        Assert.True(granted.IsSuccessStatusCode, await granted.Content.ReadAsStringAsync());
        var revoked = await root.DeleteAsync("/api/v1/users/nurse/roles/ward/clinician");
        Assert.True(revoked.IsSuccessStatusCode, await revoked.Content.ReadAsStringAsync());

        // The session is still open, but the person no longer holds a role that may break glass here.
        Assert.Equal(HttpStatusCode.Forbidden, (await ward.GetAsync("/api/v1/datasets")).StatusCode);
    }

    [Fact]
    public async Task List_NotASecurityRole_Forbidden()
    {
        using var client = Users.Bearer(_server, _clinician);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/break-glass")).StatusCode);
    }
}

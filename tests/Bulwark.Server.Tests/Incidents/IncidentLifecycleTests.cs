using System.Net;
using System.Net.Http.Json;
using Bulwark.Client.Contracts;
using Bulwark.Core.Incidents;
using Bulwark.Server.Tests.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Incidents;

public sealed class IncidentLifecycleTests : IAsyncLifetime
{
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

    private async Task<IncidentInfo> OpenAsync(string type = "other", bool personal = false, bool health = false)
    {
        var response = await _officer.PostAsJsonAsync("/api/v1/incidents", new OpenIncidentRequest("Suspicious activity", "high", type, PersonalData: personal, HealthData: health));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<IncidentInfo>())!;
    }

    private Task<HttpResponseMessage> MoveAsync(int number, string state, string evidence = "done and checked") =>
        _officer.PostAsJsonAsync($"/api/v1/incidents/{number}/transitions", new IncidentTransitionRequest(state, evidence));

    [Fact]
    public async Task Transition_SkippingAPhase_IsRefused_AndEachStepIsRecorded()
    {
        var incident = await OpenAsync();
        var number = incident.Incident.Number;
        Assert.Equal(1, await OpenIncidentsMetricAsync());

        foreach (var skip in new[] { "eradicated", "recovered", "closed", "identified" })
        {
            var refused = await MoveAsync(number, skip);
            await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Conflict, ErrorCodes.IncidentInvalidTransition);
        }

        Assert.Equal(HttpStatusCode.OK, (await MoveAsync(number, "contained", "key revoked, network blocked")).StatusCode);
        await ProblemAssert.IsProblemAsync(await MoveAsync(number, "recovered"), HttpStatusCode.Conflict, ErrorCodes.IncidentInvalidTransition);
        Assert.Equal(HttpStatusCode.OK, (await MoveAsync(number, "eradicated")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await MoveAsync(number, "recovered")).StatusCode);

        // Closing needs the playbook's checklist.
        var incomplete = await MoveAsync(number, "closed");
        var problem = await ProblemAssert.IsProblemAsync(incomplete, HttpStatusCode.Conflict, ErrorCodes.IncidentChecklistIncomplete);
        Assert.Contains("verify-audit-chain", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        foreach (var item in IncidentPlaybooks.ChecklistOf("other"))
        {
            var ticked = await _officer.PostAsJsonAsync($"/api/v1/incidents/{number}/checklist", new IncidentChecklistRequest(item, "checked by hand"));
            Assert.Equal(HttpStatusCode.OK, ticked.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await MoveAsync(number, "closed", "all items done")).StatusCode);
        Assert.Equal(0, await OpenIncidentsMetricAsync());
        await ProblemAssert.IsProblemAsync(await MoveAsync(number, "contained"), HttpStatusCode.Conflict, ErrorCodes.IncidentInvalidTransition);

        var detail = (await _officer.GetFromJsonAsync<IncidentInfo>($"/api/v1/incidents/{number}"))!;
        Assert.Equal("closed", detail.Incident.State);
        var transitions = detail.Timeline.Where(e => e.Kind == "transition").ToList();
        Assert.Equal(4, transitions.Count);
        Assert.All(transitions, t => Assert.StartsWith("user:", t.Actor, StringComparison.Ordinal));
        Assert.Contains(transitions, t => t.Text == "key revoked, network blocked");

        var page = await _officer.GetAsync("/api/v1/audit/events?action=incident.transition&includeInstanceEvents=true");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(4, (await page.Content.ReadFromJsonAsync<AuditEventPage>())!.Events.Count);
    }

    private async Task<double> OpenIncidentsMetricAsync()
    {
        var text = await _officer.GetStringAsync("/metrics");
        return Telemetry.PrometheusText.Sum(text, "bulwark_incidents_open");
    }

    [Fact]
    public async Task Detection_BruteForce_OpensOneIncident_FurtherAttemptsJoinIt()
    {
        var worker = _server.App.Services.GetRequiredService<DetectionWorker>();
        await worker.RunOnceAsync();
        await Users.CreateAsync(_server, "victim", [new RoleGrant("default", "data-scientist")]);
        for (var i = 0; i < 10; i++)
        {
            await Users.LoginResponseAsync(_server, "victim", "wrong-password-" + i);
        }

        await worker.RunOnceAsync();
        var opened = Assert.Single((await _officer.GetFromJsonAsync<IReadOnlyList<IncidentSummary>>("/api/v1/incidents"))!, i => i.Rule == "auth.brute-force");
        Assert.Equal("user/victim", opened.Subject);
        Assert.Equal(IncidentPlaybooks.CredentialAttack, opened.Type);

        for (var i = 0; i < 10; i++)
        {
            await Users.LoginResponseAsync(_server, "victim", "again-wrong-" + i);
        }

        await worker.RunOnceAsync();
        var incidents = (await _officer.GetFromJsonAsync<IReadOnlyList<IncidentSummary>>("/api/v1/incidents"))!;
        var same = Assert.Single(incidents, i => i.Rule == "auth.brute-force");
        Assert.Equal(opened.Number, same.Number);
        Assert.True(same.Detections >= 2);
        var detail = (await _officer.GetFromJsonAsync<IncidentInfo>($"/api/v1/incidents/{same.Number}"))!;
        Assert.True(detail.LinkedEvents.Count >= 10);
        Assert.DoesNotContain(detail.Timeline, e => e.Text.Contains("wrong-password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Transition_WithoutEvidence_IsRefused()
    {
        var incident = await OpenAsync();

        await ProblemAssert.IsProblemAsync(await MoveAsync(incident.Incident.Number, "contained", " "), HttpStatusCode.BadRequest, ErrorCodes.IncidentInvalid);
        await ProblemAssert.IsProblemAsync(await MoveAsync(incident.Incident.Number, "contained", new string('x', 2001)), HttpStatusCode.BadRequest, ErrorCodes.IncidentInvalid);
        await ProblemAssert.IsProblemAsync(await MoveAsync(incident.Incident.Number, "CONTAINED"), HttpStatusCode.BadRequest, ErrorCodes.IncidentInvalid);
        await ProblemAssert.IsProblemAsync(await MoveAsync(424242, "contained"), HttpStatusCode.NotFound, ErrorCodes.IncidentNotFound);
    }

    [Theory]
    [InlineData("""{"title":"","severity":"high","type":"other"}""")]
    [InlineData("""{"title":"x","severity":"apocalyptic","type":"other"}""")]
    [InlineData("""{"title":"x","severity":"high","type":"../etc"}""")]
    [InlineData("""{"title":"x","severity":"high","type":"other","project":"../x"}""")]
    [InlineData("""{"title":1e309,"severity":"high","type":"other"}""")]
    [InlineData("""{"title":"x","title":"y","severity":"high","type":"other"}""")]
    public async Task Open_MalformedInput_Is400Problem(string body)
    {
        var response = await _officer.PostAsync("/api/v1/incidents", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Open_WithPersonalAndHealthData_ShowsBothRegulatoryDeadlines()
    {
        var incident = await OpenAsync(personal: true, health: true);
        var opened = incident.Incident.OpenedAt;

        Assert.Equal(opened + TimeSpan.FromHours(72), incident.Deadlines.Single(d => d.Id == "gdpr-72h").DueAt);
        Assert.Equal(opened + TimeSpan.FromDays(60), incident.Deadlines.Single(d => d.Id == "hipaa-60d").DueAt);
        Assert.All(incident.Deadlines, d => Assert.False(d.Passed));
    }

    [Fact]
    public async Task Changes_WithAnApiKeyOrWithoutMfa_AreRefused()
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        var response = await admin.PostAsJsonAsync("/api/v1/incidents", new OpenIncidentRequest("x", "high", "other"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, ErrorCodes.StepUpRequired);

        var auditorKey = await _server.CreateKeyAsync(["audit:read"], name: "auditor");
        using var auditor = _server.CreateClient(auditorKey.Key);
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.GetAsync("/api/v1/incidents")).StatusCode);
    }
}

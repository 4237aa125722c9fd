using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Storage;
using Bulwark.Server.Tests.Identity;
using Bulwark.Server.Tests.Serving;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Access;

/// <summary>ABAC policies enforced on the real pipeline: the four examples the issue names, fail-closed errors, and audit.</summary>
public sealed class PolicyEnforcementTests : IAsyncLifetime
{
    private const string Examples = """
        policies:
          - id: clearance-covers-classification
            effect: forbid
            action: ["datasets:read", "models:train"]
            resource: { type: dataset }
            when: principal has clearance && principal.clearance < resource.classification
          - id: restricted-needs-mfa
            effect: forbid
            resource: { type: dataset }
            when: resource.classification == classification("restricted") && !principal.mfa
          - id: four-eyes-promotion
            effect: forbid
            action: "models:promote"
            when: resource.stage == "production" && principal.id == resource.trainedBy
        """;

    private TestServer _server = null!;
    private string _securityOfficer = "";

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _securityOfficer = await Users.SignedInWithMfaAsync(_server, "sofia", [new RoleGrant("*", "security-officer")]);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<HttpResponseMessage> PutPoliciesAsync(string document, string? token = null)
    {
        using var client = Users.Bearer(_server, token ?? _securityOfficer);
        return await client.PutAsJsonAsync("/api/v1/policies", new PutPolicyRequest(document));
    }

    private async Task<DatasetInfo> ImportAsync(string name, string classification)
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        using var content = new ByteArrayContent(await File.ReadAllBytesAsync(RepositoryPaths.BreastCancerCsv));
        content.Headers.ContentType = new("text/csv");
        var response = await admin.PostAsync($"/api/v1/datasets?name={name}&classification={classification}&label=diagnosis", content);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<DatasetInfo>())!;
    }

    private async Task<List<AuditEvent>> AuditAsync(int code)
    {
        await using var scope = _server.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().AuditEvents.AsNoTracking().Where(e => e.Code == code).OrderBy(e => e.Sequence).ToListAsync();
    }

    [Fact]
    public async Task PutPolicies_WithAnApiKey_NeedsStepUp()
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        var response = await admin.PutAsJsonAsync("/api/v1/policies", new PutPolicyRequest(Examples));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "auth.step-up-required");
    }

    [Theory]
    [InlineData("policies: [ { id: x, effect: allow } ]")]
    [InlineData("policies: [ { id: x, effect: forbid, when: \"principal.id ==\" } ]")]
    [InlineData("policies: [ { id: x, effect: forbid, colour: red } ]")]
    [InlineData("")]
    public async Task PutPolicies_InvalidDocument_400AndNothingChanges(string document)
    {
        await ProblemAssert.IsProblemAsync(await PutPoliciesAsync(document), HttpStatusCode.BadRequest, "policy.invalid");
        using var client = Users.Bearer(_server, _securityOfficer);
        Assert.Equal(0, (await client.GetFromJsonAsync<PolicyDocumentInfo>("/api/v1/policies"))!.Version);
    }

    [Fact]
    public async Task Clearance_BelowTheDatasetsClassification_DeniedAndAudited()
    {
        var confidential = await ImportAsync("conf", "confidential");
        Assert.Equal(HttpStatusCode.OK, (await PutPoliciesAsync(Examples)).StatusCode);
        await Users.CreateAsync(_server, "low", [new RoleGrant("default", "data-scientist")], clearance: "internal");
        await Users.CreateAsync(_server, "high", [new RoleGrant("default", "data-scientist")], clearance: "confidential");

        using var low = Users.Bearer(_server, (await Users.LoginAsync(_server, "low")).AccessToken);
        using var high = Users.Bearer(_server, (await Users.LoginAsync(_server, "high")).AccessToken);

        await ProblemAssert.IsProblemAsync(await low.GetAsync($"/api/v1/datasets/{confidential.Id}"), HttpStatusCode.Forbidden, "auth.forbidden");
        Assert.Equal(HttpStatusCode.OK, (await high.GetAsync($"/api/v1/datasets/{confidential.Id}")).StatusCode);
        var trained = await low.PostAsJsonAsync("/api/v1/models/m/train", new TrainModelRequest(confidential.Id, "diagnosis"));
        await ProblemAssert.IsProblemAsync(trained, HttpStatusCode.Forbidden, "auth.forbidden");

        var denials = await AuditAsync(AuditCodes.PolicyDenied);
        Assert.Equal(2, denials.Count);
        using var details = JsonDocument.Parse(denials[0].Details);
        Assert.Equal(["clearance-covers-classification"], details.RootElement.GetProperty("policies").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("default", denials[0].ProjectId);
    }

    [Fact]
    public async Task RestrictedData_OnlyWithMfa_AndEveryDecisionAudited()
    {
        var restricted = await ImportAsync("secret", "restricted");
        Assert.Equal(HttpStatusCode.OK, (await PutPoliciesAsync(Examples)).StatusCode);
        await Users.CreateAsync(_server, "nomfa", [new RoleGrant("default", "data-scientist")], clearance: "restricted");
        var strong = await Users.SignedInWithMfaAsync(_server, "withmfa", [new RoleGrant("default", "data-scientist")], clearance: "restricted");

        using var weak = Users.Bearer(_server, (await Users.LoginAsync(_server, "nomfa")).AccessToken);
        using var mfa = Users.Bearer(_server, strong);
        await ProblemAssert.IsProblemAsync(await weak.GetAsync($"/api/v1/datasets/{restricted.Id}"), HttpStatusCode.Forbidden, "auth.forbidden");
        Assert.Equal(HttpStatusCode.OK, (await mfa.GetAsync($"/api/v1/datasets/{restricted.Id}")).StatusCode);

        var allowed = Assert.Single(await AuditAsync(AuditCodes.RestrictedAccessDecided));
        Assert.Equal("success", allowed.Outcome);
        var denied = Assert.Single(await AuditAsync(AuditCodes.PolicyDenied));
        Assert.Contains("restricted-needs-mfa", denied.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FourEyes_WhoTrainedAVersionCannotPromoteIt()
    {
        var data = await ImportAsync("data", "internal");
        Assert.Equal(HttpStatusCode.OK, (await PutPoliciesAsync(Examples)).StatusCode);
        var both = await Users.SignedInWithMfaAsync(_server, "solo", [new RoleGrant("default", "ml-engineer"), new RoleGrant("default", "approver")]);
        var reviewer = await Users.SignedInWithMfaAsync(_server, "reviewer", [new RoleGrant("default", "approver")]);
        using var author = Users.Bearer(_server, both);
        var submitted = await author.PostAsJsonAsync("/api/v1/models/fraud/train", new TrainModelRequest(data.Id, "diagnosis", Trainer: "lightgbm"));
        Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
        var job = await TrainedModelsFixture.WaitForJobAsync(author, (await submitted.Content.ReadFromJsonAsync<JobInfo>())!.Id);
        Assert.Equal("succeeded", job.State);

        var own = await author.PostAsJsonAsync("/api/v1/models/fraud/promote", new PromoteRequest(job.Version!.Value));
        await ProblemAssert.IsProblemAsync(own, HttpStatusCode.Forbidden, "auth.forbidden");
        var denial = Assert.Single(await AuditAsync(AuditCodes.PolicyDenied));
        using (var details = JsonDocument.Parse(denial.Details))
        {
            Assert.Equal(["four-eyes-promotion"], details.RootElement.GetProperty("policies").EnumerateArray().Select(p => p.GetString()));
            Assert.Empty(details.RootElement.GetProperty("errors").EnumerateArray());
        }

        using var second = Users.Bearer(_server, reviewer);
        Assert.Equal(HttpStatusCode.OK, (await second.PostAsJsonAsync("/api/v1/models/fraud/promote", new PromoteRequest(job.Version!.Value))).StatusCode);
    }

    [Fact]
    public async Task AdminActions_OnlyFromTheAdminNetwork()
    {
        const string adminNetwork = """
            policies:
              - id: admin-from-admin-network
                effect: forbid
                action: ["users:manage", "keys:manage"]
                unless: context.clientIp.isInRange(ip("10.0.0.0/8"))
            """;
        Assert.Equal(HttpStatusCode.OK, (await PutPoliciesAsync(adminNetwork)).StatusCode);

        // The tests connect from 127.0.0.1: outside 10.0.0.0/8, so even the instance admin key is refused.
        using var admin = _server.CreateClient(_server.AdminKey);
        await ProblemAssert.IsProblemAsync(await admin.GetAsync("/api/v1/users"), HttpStatusCode.Forbidden, "auth.forbidden");
        await ProblemAssert.IsProblemAsync(await admin.GetAsync("/api/v1/keys"), HttpStatusCode.Forbidden, "auth.forbidden");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/datasets")).StatusCode);
        Assert.Contains("admin-from-admin-network", (await AuditAsync(AuditCodes.PolicyDenied))[0].Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyThatErrors_Denies()
    {
        // principal.department exists on nobody: evaluating it is an error, and an error denies (fail closed).
        const string broken = """
            policies:
              - id: broken-forbid
                effect: forbid
                action: "datasets:read"
                when: principal.department == "finance"
            """;
        Assert.Equal(HttpStatusCode.OK, (await PutPoliciesAsync(broken)).StatusCode);
        using var admin = _server.CreateClient(_server.AdminKey);
        await ProblemAssert.IsProblemAsync(await admin.GetAsync("/api/v1/datasets"), HttpStatusCode.Forbidden, "auth.forbidden");
        Assert.Contains("broken-forbid", (await AuditAsync(AuditCodes.PolicyDenied))[0].Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyChange_IsVersionedAndAudited()
    {
        Assert.Equal(HttpStatusCode.OK, (await PutPoliciesAsync(Examples)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PutPoliciesAsync(Examples + "\n")).StatusCode);
        using var client = Users.Bearer(_server, _securityOfficer);
        var info = (await client.GetFromJsonAsync<PolicyDocumentInfo>("/api/v1/policies"))!;
        Assert.Equal(2, info.Version);
        Assert.Equal(3, info.Policies);
        Assert.Equal(2, (await AuditAsync(AuditCodes.PolicyChanged)).Count);
    }
}

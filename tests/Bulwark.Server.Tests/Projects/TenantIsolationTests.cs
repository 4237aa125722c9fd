using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bulwark.Client.Contracts;
using Bulwark.Core.Storage;
using Bulwark.Server.Authentication;
using Bulwark.Server.Tests.Serving;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Projects;

/// <summary>
/// Broken object-level authorization (OWASP API1:2023) across tenants, for every resource type: beta's credentials ask
/// for alpha's objects by id or name and must get exactly what they get for an object that does not exist.
/// </summary>
public sealed class TenantIsolationTests(TwoProjectsFixture fixture) : IClassFixture<TwoProjectsFixture>
{
    private TwoProjectsFixture.Tenant Alpha => fixture.Tenants["alpha"];
    private TwoProjectsFixture.Tenant Beta => fixture.Tenants["beta"];

    private HttpClient BetaAdmin() => fixture.Server.CreateClient(Beta.AdminKey);

    /// <summary>Status and code of a response, and its detail with the probed identifier replaced, for "same as missing" comparisons.</summary>
    private static async Task<(HttpStatusCode Status, string? Code, string Detail)> ShapeAsync(HttpResponseMessage response, string probed)
    {
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        var code = json.RootElement.TryGetProperty("code", out var c) ? c.GetString() : null;
        var detail = json.RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "";
        return (response.StatusCode, code, detail.Replace(probed, "<id>", StringComparison.Ordinal));
    }

    private static async Task AssertSameAsMissingAsync(Func<string, Task<HttpResponseMessage>> request, string othersId, string missingId, HttpStatusCode expected)
    {
        var other = await ShapeAsync(await request(othersId), othersId);
        var missing = await ShapeAsync(await request(missingId), missingId);
        Assert.Equal(expected, other.Status);
        Assert.Equal(missing, other);
    }

    [Fact]
    public async Task Dataset_OtherProjectsById_IsTheSame404AsAMissingOne()
    {
        using var beta = BetaAdmin();
        await AssertSameAsMissingAsync(id => beta.GetAsync($"/api/v1/datasets/{id}"), Alpha.Dataset.Id.ToString(), Guid.NewGuid().ToString(), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Dataset_List_ShowsOnlyOwnProject()
    {
        using var beta = BetaAdmin();
        var listed = await beta.GetFromJsonAsync<DatasetInfo[]>("/api/v1/datasets");
        Assert.Equal([Beta.Dataset.Id], listed!.Select(d => d.Id));
    }

    [Fact]
    public async Task Training_OnOtherProjectsDataset_IsTheSameAsAMissingDataset()
    {
        using var beta = BetaAdmin();
        await AssertSameAsMissingAsync(
            id => beta.PostAsJsonAsync("/api/v1/models/stolen/train", new TrainModelRequest(Guid.Parse(id), "diagnosis")),
            Alpha.Dataset.Id.ToString(), Guid.NewGuid().ToString(), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Job_OtherProjectsById_IsTheSame404AsAMissingOne()
    {
        using var beta = BetaAdmin();
        await AssertSameAsMissingAsync(id => beta.GetAsync($"/api/v1/jobs/{id}"), Alpha.Job.Id.ToString(), Guid.NewGuid().ToString(), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Model_OtherProjectsByName_IsTheSame404AsAMissingOne()
    {
        using var beta = BetaAdmin();
        await AssertSameAsMissingAsync(name => beta.GetAsync($"/api/v1/models/{name}/versions"), TwoProjectsFixture.AlphaOnlyModel, "no-such-model", HttpStatusCode.NotFound);
        await AssertSameAsMissingAsync(name => beta.PostAsJsonAsync($"/api/v1/models/{name}/promote", new PromoteRequest(1)),
            TwoProjectsFixture.AlphaOnlyModel, "no-such-model", HttpStatusCode.NotFound);
        await AssertSameAsMissingAsync(name => beta.GetAsync($"/v2/models/{name}"), TwoProjectsFixture.AlphaOnlyModel, "no-such-model", HttpStatusCode.NotFound);
        var listed = await beta.GetFromJsonAsync<ModelVersionInfo[]>("/api/v1/models");
        Assert.DoesNotContain(listed!, v => v.Model == TwoProjectsFixture.AlphaOnlyModel);
    }

    [Fact]
    public async Task Predict_OtherProjectsModel_IsTheSameAsAMissingModel()
    {
        using var beta = fixture.Server.CreateClient(Beta.PredictKey);
        var body = await SampleBodyAsync();
        await AssertSameAsMissingAsync(name => beta.PostAsync($"/v1/models/{name}:predict", TrainedModelsFixture.Json(body)),
            TwoProjectsFixture.AlphaOnlyModel, "no-such-model", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Predict_SameModelNameInBothProjects_EachKeyGetsItsOwnProjectsVersion()
    {
        var body = await SampleBodyAsync();
        foreach (var tenant in new[] { Alpha, Beta })
        {
            using var client = fixture.Server.CreateClient(tenant.PredictKey);
            var response = await client.PostAsync($"/v1/models/{TwoProjectsFixture.SharedModel}:predict", TrainedModelsFixture.Json(body));
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            var served = (await response.Content.ReadFromJsonAsync<PredictResponse>())!;
            Assert.Equal(tenant.Production.ManifestDigest, served.ManifestDigest);
        }

        Assert.NotEqual(Alpha.Production.ManifestDigest, Beta.Production.ManifestDigest);
    }

    [Fact]
    public async Task Key_OtherProjectsByPrefix_IsTheSame404AsAMissingOneAndStaysValid()
    {
        using var beta = BetaAdmin();
        await AssertSameAsMissingAsync(prefix => beta.DeleteAsync($"/api/v1/keys/{prefix}"), Alpha.PredictKeyPrefix, "bwk_000000000000", HttpStatusCode.NotFound);
        var listed = await beta.GetFromJsonAsync<ApiKeyInfo[]>("/api/v1/keys");
        Assert.All(listed!, k => Assert.Equal("beta", k.Project));

        using var alpha = fixture.Server.CreateClient(Alpha.PredictKey);
        var response = await alpha.PostAsync($"/v1/models/{TwoProjectsFixture.SharedModel}:predict", TrainedModelsFixture.Json(await SampleBodyAsync()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task OAuthClient_OtherProjectsById_IsTheSame404AsAMissingOne()
    {
        using var alpha = fixture.Server.CreateClient(Alpha.AdminKey);
        var registered = await alpha.PostAsJsonAsync("/api/v1/clients", new CreateClientRequest("alpha-service", ["predict"]));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var clientId = (await registered.Content.ReadFromJsonAsync<CreatedClientInfo>())!.Client.ClientId;

        using var beta = BetaAdmin();
        await AssertSameAsMissingAsync(id => beta.DeleteAsync($"/api/v1/clients/{id}"), clientId, "bwcl_0000000000000000", HttpStatusCode.NotFound);
        Assert.DoesNotContain((await beta.GetFromJsonAsync<ClientInfo[]>("/api/v1/clients"))!, c => c.ClientId == clientId);
        Assert.Null((await alpha.GetFromJsonAsync<ClientInfo[]>("/api/v1/clients"))!.Single(c => c.ClientId == clientId).DisabledAt);
    }

    [Fact]
    public async Task AuditSearch_ProjectAuditorSeesOnlyItsProjectsEvents_PagedFilteredAndItselfAudited()
    {
        using var alphaAdmin = fixture.Server.CreateClient(Alpha.AdminKey);
        var key = await alphaAdmin.PostAsJsonAsync("/api/v1/keys", new CreateApiKeyRequest("alpha-auditor", ["audit:read"]));
        using var auditor = fixture.Server.CreateClient((await key.Content.ReadFromJsonAsync<CreatedApiKeyInfo>())!.Key);

        var page = (await auditor.GetFromJsonAsync<AuditEventPage>("/api/v1/audit/events?limit=500"))!;
        Assert.NotEmpty(page.Events);
        Assert.All(page.Events, e => Assert.Equal("alpha", e.Project));
        Assert.Contains(page.Events, e => e.Action == "dataset.import" && e.Resource == "dataset/" + Alpha.Dataset.Id);

        var imports = (await auditor.GetFromJsonAsync<AuditEventPage>("/api/v1/audit/events?action=dataset.import&limit=1"))!;
        var only = Assert.Single(imports.Events);
        Assert.Equal("dataset.import", only.Action);
        var models = (await auditor.GetFromJsonAsync<AuditEventPage>($"/api/v1/audit/events?resource=model/{TwoProjectsFixture.AlphaOnlyModel}&limit=1"))!;
        Assert.NotNull(models.Next);
        var second = (await auditor.GetFromJsonAsync<AuditEventPage>($"/api/v1/audit/events?resource=model/{TwoProjectsFixture.AlphaOnlyModel}&limit=1&after={models.Next}"))!;
        Assert.True(second.Events[0].Sequence > models.Events[0].Sequence);

        await ProblemAssert.IsProblemAsync(await auditor.GetAsync("/api/v1/audit/events?includeInstanceEvents=true"), HttpStatusCode.Forbidden, "auth.forbidden");
        await ProblemAssert.IsProblemAsync(await auditor.GetAsync("/api/v1/audit/events?limit=0"), HttpStatusCode.BadRequest, "request.invalid");
        await ProblemAssert.IsProblemAsync(await auditor.GetAsync("/api/v1/audit/events?from=yesterday"), HttpStatusCode.BadRequest, "request.invalid");

        using var betaAdmin = BetaAdmin();
        var betaPage = (await betaAdmin.GetFromJsonAsync<AuditEventPage>("/api/v1/audit/events?limit=500"))!;
        Assert.DoesNotContain(betaPage.Events, e => e.Project == "alpha" || e.Resource == "dataset/" + Alpha.Dataset.Id);
        var searches = (await betaAdmin.GetFromJsonAsync<AuditEventPage>("/api/v1/audit/events?action=audit.search"))!;
        Assert.Contains(searches.Events, e => e.Project == "beta" && e.Details.GetProperty("returned").GetInt32() == betaPage.Events.Count);

        using var instance = fixture.Server.CreateClient(fixture.Server.AdminKey);
        instance.DefaultRequestHeaders.Add(ProjectResolutionMiddleware.ProjectHeader, "alpha");
        var withInstance = (await instance.GetFromJsonAsync<AuditEventPage>("/api/v1/audit/events?includeInstanceEvents=true&action=system.init"))!;
        Assert.Single(withInstance.Events);
    }

    [Theory]
    [InlineData("alpha")]
    [InlineData("gamma")]
    [InlineData("default")]
    public async Task ProjectHeader_ProjectTheKeyIsNotBoundTo_IsTheSame404WhetherItExistsOrNot(string project)
    {
        using var beta = BetaAdmin();
        beta.DefaultRequestHeaders.Add(ProjectResolutionMiddleware.ProjectHeader, project);
        var response = await beta.GetAsync("/api/v1/datasets");
        var shape = await ShapeAsync(response, project);
        Assert.Equal((HttpStatusCode.NotFound, "project.not-found", "Project '<id>' does not exist or you are not a member of it."), shape);
    }

    [Theory]
    [InlineData("../alpha")]
    [InlineData("ALPHA")]
    [InlineData("al/pha")]
    [InlineData("*")]
    [InlineData("")]
    public async Task ProjectHeader_NotAProjectId_Is400(string project)
    {
        using var beta = BetaAdmin();
        beta.DefaultRequestHeaders.TryAddWithoutValidation(ProjectResolutionMiddleware.ProjectHeader, project);
        var response = await beta.GetAsync("/api/v1/datasets");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "project.invalid");
    }

    [Fact]
    public async Task ProjectHeader_Twice_Is400()
    {
        using var beta = BetaAdmin();
        beta.DefaultRequestHeaders.Add(ProjectResolutionMiddleware.ProjectHeader, ["beta", "alpha"]);
        await ProblemAssert.IsProblemAsync(await beta.GetAsync("/api/v1/datasets"), HttpStatusCode.BadRequest, "project.invalid");
    }

    [Fact]
    public async Task InstanceAdmin_WithProjectHeader_SeesThatProjectOnly()
    {
        using var admin = fixture.Server.CreateClient(fixture.Server.AdminKey);
        admin.DefaultRequestHeaders.Add(ProjectResolutionMiddleware.ProjectHeader, "alpha");
        var listed = await admin.GetFromJsonAsync<DatasetInfo[]>("/api/v1/datasets");
        Assert.Equal([Alpha.Dataset.Id], listed!.Select(d => d.Id));
    }

    [Fact]
    public async Task ProjectAdminKey_CannotCreateProjects()
    {
        using var beta = BetaAdmin();
        var response = await beta.PostAsJsonAsync("/api/v1/projects", new CreateProjectRequest("delta"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "auth.forbidden");
    }

    [Fact]
    public async Task AuditEvents_OfProjectActions_CarryTheirProject()
    {
        await using var scope = fixture.Server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
        var imports = await db.AuditEvents.AsNoTracking().Where(e => e.Action == "dataset.import" && e.Outcome == "success").ToListAsync();
        Assert.Equal(["alpha", "beta"], imports.Select(e => e.ProjectId).Order());
        Assert.Contains(imports, e => e.Resource == "dataset/" + Alpha.Dataset.Id && e.ProjectId == "alpha");
    }

    private static async Task<string> SampleBodyAsync()
    {
        var lines = (await File.ReadAllLinesAsync(RepositoryPaths.BreastCancerCsv)).Take(2).Select(l => l.Split(',')).ToArray();
        var row = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < lines[0].Length; i++)
        {
            if (lines[0][i] != "diagnosis")
            {
                row[lines[0][i]] = double.Parse(lines[1][i], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return JsonSerializer.Serialize(new { instances = new[] { row } });
    }
}

using System.Net;
using System.Net.Http.Json;
using Bulwark.Client.Contracts;
using Bulwark.Server.Authentication;
using Bulwark.Server.Tests.Serving;

namespace Bulwark.Server.Tests.Registry;

/// <summary>
/// Gate settings keyed <c>&lt;project&gt;/&lt;model&gt;</c> apply to that project's model only, a bare <c>&lt;model&gt;</c> key is the
/// fallback for every project, and a golden set named by name resolves in the model's own project only: a name two of
/// its datasets share fails the gate with a reason, and another project's dataset of that name is never used.
/// </summary>
public sealed class ProjectScopedSettingsTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private HttpClient _admin = null!;
    private HttpClient _beta = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Bulwark:Registry:Gates:dup:GoldenDataset"] = "golden",
            ["Bulwark:Registry:Gates:beta/dup:MinMetrics:accuracy"] = "0.5",
            ["Bulwark:Registry:Gates:other:GoldenDataset"] = "golden",
        });
        _admin = _server.CreateClient(_server.AdminKey);
        var created = await _admin.PostAsJsonAsync("/api/v1/projects", new CreateProjectRequest("beta"));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        _beta = _server.CreateClient(_server.AdminKey);
        _beta.DefaultRequestHeaders.Add(ProjectResolutionMiddleware.ProjectHeader, "beta");
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _beta.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task GoldenSetByName_TwoMatchesInTheProject_FailsClosed_AndOtherProjectsNeverResolveIt()
    {
        var training = await ImportAsync(_admin, "training");
        await ImportAsync(_admin, "golden");
        await ImportAsync(_admin, "golden");
        var version = await TrainAsync(_admin, "dup", training);
        var report = await GatesAsync(_admin, "dup", version);
        var golden = Assert.Single(report.Results);
        Assert.False(golden.Passed);
        Assert.Equal("golden-set", golden.Gate);
        Assert.Contains("more than one dataset in project 'default' is named 'golden'", golden.Detail, StringComparison.Ordinal);
        Assert.Contains("pin the golden set by dataset id", golden.Detail, StringComparison.Ordinal);
        var promoted = await _admin.PostAsJsonAsync("/api/v1/models/dup/promote", new PromoteRequest(version));
        await ProblemAssert.IsProblemAsync(promoted, HttpStatusCode.UnprocessableEntity, "registry.gate-failed");

        // Project beta's "dup" has its own entry, which replaces the bare one: no golden set, an accuracy floor it passes.
        var betaTraining = await ImportAsync(_beta, "training");
        var betaVersion = await TrainAsync(_beta, "dup", betaTraining);
        var betaReport = await GatesAsync(_beta, "dup", betaVersion);
        Assert.Equal(["min:accuracy"], betaReport.Results.Select(r => r.Gate));
        Assert.True(betaReport.Passed);

        // Beta's "other" falls back to the bare entry, whose golden set beta does not have: default's datasets stay invisible.
        var other = await TrainAsync(_beta, "other", betaTraining);
        var otherGolden = Assert.Single((await GatesAsync(_beta, "other", other)).Results);
        Assert.False(otherGolden.Passed);
        Assert.Contains("does not exist in project 'beta'", otherGolden.Detail, StringComparison.Ordinal);
    }

    private static async Task<Guid> ImportAsync(HttpClient client, string name)
    {
        using var content = new ByteArrayContent(await File.ReadAllBytesAsync(RepositoryPaths.BreastCancerCsv));
        content.Headers.ContentType = new("text/csv");
        var imported = await client.PostAsync($"/api/v1/datasets?name={name}&classification=internal&label=diagnosis", content);
        Assert.True(imported.StatusCode == HttpStatusCode.Created, await imported.Content.ReadAsStringAsync());
        return (await imported.Content.ReadFromJsonAsync<DatasetInfo>())!.Id;
    }

    private static async Task<int> TrainAsync(HttpClient client, string model, Guid dataset)
    {
        var submitted = await client.PostAsJsonAsync($"/api/v1/models/{model}/train", new TrainModelRequest(dataset, "diagnosis"));
        Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
        var job = await TrainedModelsFixture.WaitForJobAsync(client, (await submitted.Content.ReadFromJsonAsync<JobInfo>())!.Id);
        Assert.Equal("succeeded", job.State);
        return job.Version!.Value;
    }

    private static async Task<GateReportInfo> GatesAsync(HttpClient client, string model, int version)
    {
        var response = await client.GetAsync($"/api/v1/models/{model}/versions/{version}/gates");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<GateReportInfo>())!;
    }
}

using System.Net;
using System.Net.Http.Json;
using Bulwark.Client.Contracts;
using Bulwark.Server.Authentication;
using Bulwark.Server.Tests.Serving;

namespace Bulwark.Server.Tests.Projects;

/// <summary>
/// One server with two tenants, "alpha" and "beta". Each has its own admin key (bound to its project), a dataset, a
/// training job and a production model. Both models are called <see cref="SharedModel"/>, so every lookup by name must
/// be resolved inside the caller's project. Alpha also has <see cref="AlphaOnlyModel"/>.
/// </summary>
public sealed class TwoProjectsFixture : IAsyncLifetime
{
    public const string SharedModel = "scorer";
    public const string AlphaOnlyModel = "alpha-secret";

    internal TestServer Server { get; private set; } = null!;
    public Dictionary<string, Tenant> Tenants { get; } = new(StringComparer.Ordinal);

    public sealed record Tenant(string Project, string AdminKey, string PredictKey, string PredictKeyPrefix, DatasetInfo Dataset, JobInfo Job, ModelVersionInfo Production);

    public async Task InitializeAsync()
    {
        Server = await TestServer.StartAsync();
        using var instanceAdmin = Server.CreateClient(Server.AdminKey);
        foreach (var project in new[] { "alpha", "beta" })
        {
            var created = await instanceAdmin.PostAsJsonAsync("/api/v1/projects", new CreateProjectRequest(project, project.ToUpperInvariant()));
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        }

        foreach (var project in new[] { "alpha", "beta" })
        {
            using var asInstanceAdmin = Server.CreateClient(Server.AdminKey);
            asInstanceAdmin.DefaultRequestHeaders.Add(ProjectResolutionMiddleware.ProjectHeader, project);
            var adminKey = await CreateKeyAsync(asInstanceAdmin, "admin");
            using var admin = Server.CreateClient(adminKey.Key);
            var dataset = await ImportAsync(admin, project + "-data");
            var job = await TrainAsync(admin, SharedModel, dataset.Id);
            var production = await TrainedModelsFixture.PromoteAsync(admin, SharedModel, job.Version!.Value);
            if (project == "alpha")
            {
                var secret = await TrainAsync(admin, AlphaOnlyModel, dataset.Id);
                await TrainedModelsFixture.PromoteAsync(admin, AlphaOnlyModel, secret.Version!.Value);
            }

            var predict = await CreateKeyAsync(admin, "predict");
            Tenants[project] = new Tenant(project, adminKey.Key, predict.Key, predict.Info.Prefix, dataset, job, production);
        }
    }

    private static async Task<CreatedApiKeyInfo> CreateKeyAsync(HttpClient client, string scope)
    {
        var response = await client.PostAsJsonAsync("/api/v1/keys", new CreateApiKeyRequest(scope + "-key", [scope]));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CreatedApiKeyInfo>())!;
    }

    private static async Task<DatasetInfo> ImportAsync(HttpClient admin, string name)
    {
        using var content = new ByteArrayContent(await File.ReadAllBytesAsync(RepositoryPaths.BreastCancerCsv));
        content.Headers.ContentType = new("text/csv");
        var imported = await admin.PostAsync($"/api/v1/datasets?name={name}&classification=confidential&label=diagnosis", content);
        Assert.True(imported.StatusCode == HttpStatusCode.Created, await imported.Content.ReadAsStringAsync());
        return (await imported.Content.ReadFromJsonAsync<DatasetInfo>())!;
    }

    private static async Task<JobInfo> TrainAsync(HttpClient admin, string model, Guid datasetId)
    {
        var submitted = await admin.PostAsJsonAsync($"/api/v1/models/{model}/train", new TrainModelRequest(datasetId, "diagnosis", Trainer: "lightgbm"));
        Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
        var job = await TrainedModelsFixture.WaitForJobAsync(admin, (await submitted.Content.ReadFromJsonAsync<JobInfo>())!.Id);
        Assert.Equal("succeeded", job.State);
        return job;
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

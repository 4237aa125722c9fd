using System.Net;
using System.Net.Http.Json;
using System.Text;
using Bulwark.Client.Contracts;

namespace Bulwark.Server.Tests.Serving;

/// <summary>
/// One server with the bundled breast-cancer dataset imported and two models trained for real on it: "cancer-mlnet"
/// (served by ML.NET) and "cancer-onnx" (exported to ONNX). Shared by the serving tests to keep the run short.
/// </summary>
public sealed class TrainedModelsFixture : IAsyncLifetime
{
    public const string MlNetModel = "cancer-mlnet";
    public const string OnnxModel = "cancer-onnx";

    internal TestServer Server { get; private set; } = null!;
    public DatasetInfo Dataset { get; private set; } = null!;
    public Dictionary<string, JobInfo> Jobs { get; } = new(StringComparer.Ordinal);

    /// <summary>Per model: the promoted version and a key whose only scope is predict:&lt;model&gt;.</summary>
    public Dictionary<string, ModelVersionInfo> Production { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> PredictKeys { get; } = new(StringComparer.Ordinal);

    /// <summary>The first data row of the bundled CSV as feature name → value (label excluded).</summary>
    public Dictionary<string, double> SampleRow { get; } = new(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        Server = await TestServer.StartAsync();
        using var admin = Server.CreateClient(Server.AdminKey);
        var csv = await File.ReadAllBytesAsync(RepositoryPaths.BreastCancerCsv);
        using var content = new ByteArrayContent(csv);
        content.Headers.ContentType = new("text/csv");
        var imported = await admin.PostAsync("/api/v1/datasets?name=breast-cancer&classification=confidential&label=diagnosis", content);
        Assert.True(imported.StatusCode == HttpStatusCode.Created, await imported.Content.ReadAsStringAsync());
        Dataset = (await imported.Content.ReadFromJsonAsync<DatasetInfo>())!;

        foreach (var (model, runtime) in new[] { (MlNetModel, "mlnet"), (OnnxModel, "onnx") })
        {
            var submitted = await admin.PostAsJsonAsync($"/api/v1/models/{model}/train", new TrainModelRequest(Dataset.Id, "diagnosis", Runtime: runtime));
            Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
            var job = (await submitted.Content.ReadFromJsonAsync<JobInfo>())!;
            Assert.Equal($"/api/v1/jobs/{job.Id}", submitted.Headers.Location?.OriginalString);
            Jobs[model] = await WaitForJobAsync(admin, job.Id);
            if (Jobs[model].State == "succeeded")
            {
                Production[model] = await PromoteAsync(admin, model, Jobs[model].Version!.Value);
                PredictKeys[model] = (await Server.CreateKeyAsync([$"predict:{model}"], name: "client-" + model)).Key;
            }
        }

        var lines = File.ReadLines(RepositoryPaths.BreastCancerCsv).Take(2).Select(l => l.Split(',')).ToArray();
        for (var i = 0; i < lines[0].Length; i++)
        {
            if (lines[0][i] != "diagnosis")
            {
                SampleRow[lines[0][i]] = double.Parse(lines[1][i], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }

    internal static async Task<ModelVersionInfo> PromoteAsync(HttpClient admin, string model, int version)
    {
        var promoted = await admin.PostAsJsonAsync($"/api/v1/models/{model}/promote", new PromoteRequest(version));
        Assert.True(promoted.StatusCode == HttpStatusCode.OK, await promoted.Content.ReadAsStringAsync());
        return (await promoted.Content.ReadFromJsonAsync<ModelVersionInfo>())!;
    }

    internal static async Task<JobInfo> WaitForJobAsync(HttpClient client, Guid id)
    {
        // A generous bound so a stuck job fails the run instead of hanging it; not a timing assertion.
        for (var i = 0; i < 1200; i++)
        {
            var job = (await client.GetFromJsonAsync<JobInfo>($"/api/v1/jobs/{id}"))!;
            if (job.State is "succeeded" or "failed")
            {
                return job;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Job {id} did not finish.");
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    internal static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}

[CollectionDefinition(Name)]
public sealed class TrainedModelsCollection : ICollectionFixture<TrainedModelsFixture>
{
    public const string Name = "trained-models";
}

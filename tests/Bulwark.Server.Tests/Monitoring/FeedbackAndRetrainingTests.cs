using System.Net;
using System.Net.Http.Json;
using System.Text;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Monitoring;
using Bulwark.Core.Storage;
using Bulwark.Server.Tests.Identity;
using Bulwark.Server.Tests.Incidents;
using Bulwark.Server.Tests.Serving;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Monitoring;

/// <summary>
/// The feedback loop over real HTTPS: predictions carry an id, feedback joins it (validated, rate-limited, audited),
/// a batch dominated by one source is held and does not count, live metrics come from accepted labels only, and a
/// scheduled retraining produces a gated candidate in staging on a fake clock.
/// </summary>
public sealed class FeedbackAndRetrainingTests : IAsyncLifetime
{
    private const string Model = "clinic";
    private TestServer _server = null!;
    private HttpClient _admin = null!;
    private HttpClient _app = null!;
    private HttpClient _otherApp = null!;
    private HttpClient _reviewer = null!;
    private string[] _truth = [];

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Bulwark:Registry:RequireFourEyes"] = "true",
            ["Bulwark:Monitoring:Retraining:clinic:Dataset"] = "breast-cancer",
            ["Bulwark:Monitoring:Retraining:clinic:Every"] = "7.00:00:00",
            ["Bulwark:Monitoring:Retraining:clinic:OnDrift"] = "false",
            ["Bulwark:Registry:Gates:clinic:MinMetrics:accuracy"] = "0.8",
        });
        _admin = _server.CreateClient(_server.AdminKey);
        _reviewer = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "reviewer", [new RoleGrant("default", "approver")]));
        var submitted = await _admin.PostAsJsonAsync($"/api/v1/models/{Model}/train", new TrainModelRequest(await Tabletop.ImportDatasetAsync(_admin), "diagnosis"));
        var job = await TrainedModelsFixture.WaitForJobAsync(_admin, (await submitted.Content.ReadFromJsonAsync<JobInfo>())!.Id);
        var promoted = await _reviewer.PostAsJsonAsync($"/api/v1/models/{Model}/promote", new PromoteRequest(job.Version!.Value));
        Assert.True(promoted.StatusCode == HttpStatusCode.OK, await promoted.Content.ReadAsStringAsync());

        // Two sources of feedback that are two people: a key (the admin's) and a signed-in service user.
        _app = _server.CreateClient((await _server.CreateKeyAsync([$"predict:{Model}", "feedback"], name: "clinic-app")).Key);
        await Users.CreateAsync(_server, "lab", [new RoleGrant("default", "service")]);
        _otherApp = Users.Bearer(_server, (await Users.LoginAsync(_server, "lab")).AccessToken);
        _truth = File.ReadLines(RepositoryPaths.BreastCancerCsv).Skip(1).Select(l => l[(l.LastIndexOf(',') + 1)..]).ToArray();
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _app.Dispose();
        _otherApp.Dispose();
        _reviewer.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Feedback_JoinsCapturedPredictions_AndIsValidated()
    {
        var ids = await PredictAsync(_app, 3);
        Assert.All(ids, id => Assert.NotEqual(Guid.Empty, id));

        Assert.Equal(HttpStatusCode.Accepted, (await FeedbackAsync(_app, ids[0], _truth[0])).StatusCode);
        await ProblemAssert.IsProblemAsync(await FeedbackAsync(_app, ids[0], _truth[0]), HttpStatusCode.Conflict, "monitoring.duplicate-feedback");
        await ProblemAssert.IsProblemAsync(await FeedbackAsync(_app, ids[1], "probably-fine"), HttpStatusCode.BadRequest, "monitoring.invalid");
        await ProblemAssert.IsProblemAsync(await FeedbackAsync(_app, ids[1], "1e309"), HttpStatusCode.BadRequest, "monitoring.invalid");
        await ProblemAssert.IsProblemAsync(await FeedbackAsync(_app, ids[1], _truth[1], row: 1), HttpStatusCode.BadRequest, "monitoring.invalid");
        await ProblemAssert.IsProblemAsync(await FeedbackAsync(_app, ids[1], _truth[1], row: -1), HttpStatusCode.BadRequest, "monitoring.invalid");
        await ProblemAssert.IsProblemAsync(await FeedbackAsync(_app, Guid.NewGuid(), _truth[1]), HttpStatusCode.NotFound, "monitoring.prediction-unknown");
        await ProblemAssert.IsProblemAsync(await _app.PostAsync($"/api/v1/models/{Model}/feedback", Json("{\"predictionId\": \"" + ids[1] + "\", \"label\": 5}")),
            HttpStatusCode.BadRequest);

        // The prediction id of one model is no handle on another, and a key without the feedback scope is refused.
        await ProblemAssert.IsProblemAsync(await _app.PostAsJsonAsync("/api/v1/models/other/feedback", new FeedbackRequest(ids[1], _truth[1])),
            HttpStatusCode.NotFound, "monitoring.prediction-unknown");
        using var predictOnly = _server.CreateClient((await _server.CreateKeyAsync([$"predict:{Model}"])).Key);
        await ProblemAssert.IsProblemAsync(await FeedbackAsync(predictOnly, ids[1], _truth[1]), HttpStatusCode.Forbidden, "auth.forbidden");

        // Captured requests are sealed at rest: no input value is in the database file.
        var firstRowValue = File.ReadLines(RepositoryPaths.BreastCancerCsv).Skip(1).First().Split(',')[3];
        Assert.DoesNotContain("\"mean_area\":" + firstRowValue, await DatabaseTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PoisonedBatch_IsHeld_DoesNotCount_AndItsSourceCannotReleaseIt()
    {
        // An honest batch: two sources, true labels.
        var honest = await PredictAsync(_app, 20, offset: 0);
        var honestToo = await PredictAsync(_otherApp, 20, offset: 20);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await FeedbackAsync(_app, honest[i], _truth[i])).StatusCode);
            Assert.Equal(HttpStatusCode.Accepted, (await FeedbackAsync(_otherApp, honestToo[i], _truth[20 + i])).StatusCode);
        }

        var first = await EvaluateAsync();
        var live = first.Findings.GetProperty("live");
        Assert.Equal(40, live.GetProperty("labels").GetInt32());
        Assert.True(live.GetProperty("value").GetDouble() > 0.85);

        // One person floods the next batch with flipped labels (the classic feedback-loop poisoning), through two keys
        // of theirs so that neither key alone holds more than half of it.
        using var secondKey = _server.CreateClient((await _server.CreateKeyAsync([$"predict:{Model}", "feedback"], name: "clinic-app-2")).Key);
        var flipped = await PredictAsync(_app, 30, offset: 40);
        for (var i = 0; i < 30; i++)
        {
            var source = i % 2 == 0 ? _app : secondKey;
            Assert.Equal(HttpStatusCode.Accepted, (await FeedbackAsync(source, flipped[i], _truth[40 + i] == "malignant" ? "benign" : "malignant")).StatusCode);
        }

        var second = await EvaluateAsync();
        Assert.Equal(40, second.Findings.GetProperty("live").GetProperty("labels").GetInt32());
        Assert.Contains("held for review", second.Findings.GetProperty("notes").ToString(), StringComparison.Ordinal);
        var held = Assert.Single((await _admin.GetFromJsonAsync<FeedbackBatchInfo[]>($"/api/v1/models/{Model}/feedback/batches"))!, b => b.State == "held");
        Assert.Equal(30, held.Labels);
        Assert.Contains(AuditCodes.FeedbackBatchHeld, await AuditCodesAsync());

        // Its source (or anyone acting through a credential of the same person) cannot release it; a reviewer discards it.
        await ProblemAssert.IsProblemAsync(await _admin.PostAsync($"/api/v1/models/{Model}/feedback/batches/{held.Batch}/release", null),
            HttpStatusCode.Forbidden, "monitoring.self-review");
        Assert.Equal(HttpStatusCode.OK, (await _reviewer.PostAsync($"/api/v1/models/{Model}/feedback/batches/{held.Batch}/discard", null)).StatusCode);
        await ProblemAssert.IsProblemAsync(await _reviewer.PostAsync($"/api/v1/models/{Model}/feedback/batches/{held.Batch}/release", null),
            HttpStatusCode.Conflict, "monitoring.batch-not-held");
        Assert.Equal(40, (await EvaluateAsync()).Findings.GetProperty("live").GetProperty("labels").GetInt32());
    }

    [Fact]
    public async Task ScheduledRetraining_OnAFakeClock_ProducesAGatedCandidateInStaging()
    {
        var worker = _server.App.Services.GetRequiredService<MonitoringWorker>();
        Assert.Equal(1, await worker.RunOnceAsync());
        Assert.Empty((await _admin.GetFromJsonAsync<RetrainingRunInfo[]>($"/api/v1/models/{Model}/retraining"))!);

        _server.Time.Advance(TimeSpan.FromDays(8));
        await worker.RunOnceAsync();
        var run = Assert.Single((await _admin.GetFromJsonAsync<RetrainingRunInfo[]>($"/api/v1/models/{Model}/retraining"))!);
        Assert.Equal(("schedule", "training"), (run.Trigger, run.State));
        var job = await TrainedModelsFixture.WaitForJobAsync(_admin, run.JobId);
        Assert.Equal("succeeded", job.State);

        // A second pass moves it through the gates into staging; production still needs a person's approval.
        await worker.RunOnceAsync();
        run = Assert.Single((await _admin.GetFromJsonAsync<RetrainingRunInfo[]>($"/api/v1/models/{Model}/retraining"))!);
        Assert.Equal(("staged", job.Version), (run.State, run.Version));
        var versions = (await _admin.GetFromJsonAsync<ModelVersionInfo[]>($"/api/v1/models/{Model}/versions"))!;
        Assert.Equal("staging", versions.Single(v => v.Version == job.Version).Stage);
        Assert.Equal("system:retraining", versions.Single(v => v.Version == job.Version).CreatedBy);

        // Whoever imported the training data shaped the retrained version: they cannot be its second pair of eyes.
        await ProblemAssert.IsProblemAsync(await _admin.PostAsJsonAsync($"/api/v1/models/{Model}/promote", new PromoteRequest(job.Version!.Value)),
            HttpStatusCode.Forbidden, "registry.self-approval");
        var codes = await AuditCodesAsync();
        Assert.Contains(AuditCodes.RetrainingStarted, codes);
        Assert.Contains(AuditCodes.RetrainingStaged, codes);
    }

    private async Task<Guid[]> PredictAsync(HttpClient client, int count, int offset = 0)
    {
        var rows = Tabletop.Rows(offset + count).Skip(offset).ToArray();
        var ids = new Guid[count];
        for (var i = 0; i < count; i++)
        {
            var response = await Tabletop.PredictAsync(client, Model, rows[i]);
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            ids[i] = (await response.Content.ReadFromJsonAsync<PredictResponse>())!.PredictionId!.Value;
            Assert.Equal(ids[i].ToString("D"), response.Headers.GetValues("X-Bulwark-Prediction-Id").Single());
        }

        await WaitForCapturesAsync(ids);
        return ids;
    }

    /// <summary>Captures are written in the background; waits (bounded) until these are stored.</summary>
    private async Task WaitForCapturesAsync(Guid[] ids)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            await using var scope = _server.App.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            if (await db.CapturedPredictions.IgnoreQueryFilters().CountAsync(c => ids.Contains(c.Id)) == ids.Length)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("Captured predictions were not written.");
    }

    private Task<HttpResponseMessage> FeedbackAsync(HttpClient client, Guid id, string label, int row = 0) =>
        client.PostAsJsonAsync($"/api/v1/models/{Model}/feedback", new FeedbackRequest(id, label, row));

    private async Task<MonitoringReportInfo> EvaluateAsync()
    {
        var response = await _admin.PostAsync($"/api/v1/models/{Model}/monitoring/evaluate", null);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<MonitoringReportInfo>())!;
    }

    private async Task<int[]> AuditCodesAsync()
    {
        await using var scope = _server.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().AuditEvents.Select(e => e.Code).ToArrayAsync();
    }

    private async Task<string> DatabaseTextAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var path = Path.Combine(_server.DataDir, "bulwark.db");
        var text = new StringBuilder();
        foreach (var file in new[] { path, path + "-wal" }.Where(File.Exists))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream, Encoding.Latin1);
            text.Append(await reader.ReadToEndAsync());
        }

        return text.ToString();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}

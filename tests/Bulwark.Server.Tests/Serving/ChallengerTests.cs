using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Monitoring;
using Bulwark.Core.Registry;
using Bulwark.Core.Serving;
using Bulwark.Core.Storage;
using Bulwark.Server.Tests.Identity;
using Bulwark.Server.Tests.Incidents;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Serving;

/// <summary>
/// Champion / challenger over real HTTPS with real trained models: a split routes its share by prediction id and the
/// response names the version that answered; shadow never answers but is captured; a quarantined, tampered, forged,
/// older or unauthorised challenger never takes traffic; the comparison names the better model on feedback.
/// </summary>
public sealed class ChallengerTests : IAsyncLifetime
{
    private const string Model = "triage";
    private TestServer _server = null!;
    private HttpClient _admin = null!;
    private HttpClient _approver = null!;
    private HttpClient _app = null!;
    private Guid _dataset;
    private int _champion;
    private int _challenger;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Bulwark:Serving:ChallengerMinLabels"] = "10",
            ["Bulwark:Monitoring:FeedbackMinBatch"] = "2",
            ["Bulwark:Monitoring:FeedbackMaxShare"] = "1.0",
            ["Bulwark:Serving:DailyQueryBudget"] = "1000000",
            ["Bulwark:Serving:ProbingThreshold"] = "100000",
            ["Bulwark:Serving:ProbingWindow"] = "100000",
            ["Bulwark:RateLimits:PerKeyTokensPerSecond"] = "100000",
            ["Bulwark:RateLimits:PerKeyBurst"] = "100000",
        });
        _admin = _server.CreateClient(_server.AdminKey);
        _approver = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "approver", [new RoleGrant("default", "approver")]));
        _dataset = await Tabletop.ImportDatasetAsync(_admin);
        _champion = await Tabletop.TrainAndPromoteAsync(_admin, Model, _dataset);
        _challenger = await TrainAsync(seed: 7);
        var staged = await _admin.PostAsJsonAsync($"/api/v1/models/{Model}/promote", new PromoteRequest(_challenger, "staging"));
        Assert.True(staged.StatusCode == HttpStatusCode.OK, await staged.Content.ReadAsStringAsync());
        _app = _server.CreateClient((await _server.CreateKeyAsync([$"predict:{Model}", "feedback"], name: "triage-app")).Key);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _approver.Dispose();
        _app.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Split_ThirtyPercent_RoutesByPredictionId_AndTheResponseAndCaptureNameTheAnsweringVersion()
    {
        var set = await SetAsync(_approver, new ChallengerRequest(_challenger, "split", 0.3));
        Assert.True(set.StatusCode == HttpStatusCode.OK, await set.Content.ReadAsStringAsync());
        var info = (await set.Content.ReadFromJsonAsync<ChallengerInfo>())!;
        Assert.True(info.Challenger!.Active, info.Challenger.InactiveReason);
        Assert.Equal((_champion, _challenger), (info.Champion!.Value, info.Challenger.Version));

        var rows = Tabletop.Rows(50);
        var answered = new List<(Guid Id, int Version)>();
        for (var i = 0; i < 1000; i++)
        {
            var response = await Tabletop.PredictAsync(_app, Model, rows[i % rows.Count]);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = (await response.Content.ReadFromJsonAsync<PredictResponse>())!;
            var header = int.Parse(response.Headers.GetValues("X-Bulwark-Model-Version").Single(), CultureInfo.InvariantCulture);
            Assert.Equal(body.Version, header);

            // Deterministic: the prediction id alone decides, so every answer is the one the hash predicts.
            Assert.Equal(ChallengerRoute.TakesChallenger(body.PredictionId!.Value, 0.3) ? _challenger : _champion, body.Version);
            answered.Add((body.PredictionId.Value, body.Version));
        }

        var share = answered.Count(a => a.Version == _challenger);
        Assert.InRange(share, 230, 370);

        // Captures record which version answered, so feedback on each id scores the model that gave the answer.
        var sample = answered.Take(100).ToArray();
        var captured = await WaitForCapturesAsync(sample.Select(a => a.Id).ToArray());
        Assert.All(sample, a => Assert.Equal(a.Version, captured[a.Id]));

        Assert.Contains(AuditCodes.ModelChallengerSet, await AuditCodesAsync());
    }

    [Fact]
    public async Task Shadow_TheChampionAnswersEveryRequest_AndTheChallengersOutputsAreCaptured()
    {
        Assert.Equal(HttpStatusCode.OK, (await SetAsync(_approver, new ChallengerRequest(_challenger, "shadow"))).StatusCode);
        var ids = await PredictAsync(40);
        Assert.All(ids, a => Assert.Equal(_champion, a.Version));

        await _server.App.Services.GetRequiredService<ShadowScorer>().DrainAsync();
        await WaitForCapturesAsync(ids.Select(a => a.Id).ToArray());
        await using var scope = _server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
        var shadows = await WaitForShadowsAsync(db, ids.Length);
        Assert.Equal(ids.Select(a => a.Id).Order(), shadows.Select(s => s.ShadowOf!.Value).Order());
        Assert.All(shadows, s => Assert.Equal(_challenger, s.Version));

        // A shadow capture is no handle for feedback: its id was never given to anyone.
        await ProblemAssert.IsProblemAsync(await _app.PostAsJsonAsync($"/api/v1/models/{Model}/feedback", new FeedbackRequest(shadows[0].Id, "benign")),
            HttpStatusCode.NotFound, "monitoring.prediction-unknown");
        Assert.Equal(0, _server.App.Services.GetRequiredService<ShadowScorer>().Dropped);
    }

    [Fact]
    public async Task QuarantinedChallenger_TakesNoTrafficFromTheNextRequest()
    {
        Assert.Equal(HttpStatusCode.OK, (await SetAsync(_approver, new ChallengerRequest(_challenger, "split", 0.5))).StatusCode);
        Assert.Contains((await PredictAsync(40)), a => a.Version == _challenger);

        await using (var scope = _server.App.Services.CreateAsyncScope())
        {
            var quarantine = scope.ServiceProvider.GetRequiredService<ModelQuarantine>();
            Assert.True((await quarantine.QuarantineAsync(Bulwark.Core.Projects.ProjectIds.Default, Model, _challenger, "suspected backdoor", "test", null)).Succeeded);
        }

        Assert.All(await PredictAsync(100), a => Assert.Equal(_champion, a.Version));
        var info = (await _approver.GetFromJsonAsync<ChallengerInfo>($"/api/v1/models/{Model}/challenger"))!;
        Assert.False(info.Challenger!.Active);
        Assert.Contains("quarantined", info.Challenger.InactiveReason, StringComparison.Ordinal);

        // Nor can it be set again while quarantined.
        await ProblemAssert.IsProblemAsync(await SetAsync(_approver, new ChallengerRequest(_challenger, "shadow")), HttpStatusCode.Conflict, "registry.invalid-stage");
    }

    [Fact]
    public async Task TamperedChallenger_IsRefused_AndOneTamperedAfterwardsNeverAnswers()
    {
        var original = await TamperArtifactAsync(_challenger);
        var refused = await SetAsync(_approver, new ChallengerRequest(_challenger, "split", 0.5));
        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.UnprocessableEntity, "registry.digest-mismatch");
        Assert.Null((await _approver.GetFromJsonAsync<ChallengerInfo>($"/api/v1/models/{Model}/challenger"))!.Challenger);
        var codes = await AuditCodesAsync();
        Assert.Contains(AuditCodes.ModelChallengerRefused, codes);
        Assert.Contains(AuditCodes.ModelIntegrityFailure, codes);

        // Restored, it is accepted; altered again once it serves, the loader refuses it and the champion answers everything.
        await File.WriteAllBytesAsync(original.Path, original.Bytes);
        Assert.Equal(HttpStatusCode.OK, (await SetAsync(_approver, new ChallengerRequest(_challenger, "split", 0.5))).StatusCode);
        await TamperArtifactAsync(_challenger);
        _server.App.Services.GetRequiredService<LoadedModelCache>().Invalidate(Bulwark.Core.Projects.ProjectIds.Default, Model);
        Assert.All(await PredictAsync(60), a => Assert.Equal(_champion, a.Version));
    }

    [Fact]
    public async Task ChallengerWrittenInTheDatabase_IsNotServed()
    {
        // Someone with write access to the database (not the key) points the model at the staged version directly.
        await using (var scope = _server.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            var row = await db.ModelVersions.IgnoreQueryFilters().SingleAsync(v => v.ModelName == Model && v.Version == _challenger);
            db.ModelChallengers.Add(new ModelChallenger
            {
                Id = Guid.NewGuid(),
                ProjectId = row.ProjectId,
                ModelName = Model,
                VersionId = row.Id,
                Version = row.Version,
                ManifestDigest = row.ManifestDigest,
                Mode = ChallengerModes.Split,
                Share = 0.5,
                SetBy = "user:mallory",
                SetAt = _server.Time.GetUtcNow(),
                Tag = new byte[32],
            });
            await db.SaveChangesAsync();
        }

        _server.App.Services.GetRequiredService<LoadedModelCache>().Invalidate(Bulwark.Core.Projects.ProjectIds.Default, Model);
        Assert.All(await PredictAsync(60), a => Assert.Equal(_champion, a.Version));
        var info = (await _approver.GetFromJsonAsync<ChallengerInfo>($"/api/v1/models/{Model}/challenger"))!;
        Assert.False(info.Challenger!.Active);
        Assert.Contains(AuditCodes.ModelIntegrityFailure, await AuditCodesAsync());
    }

    [Fact]
    public async Task SettingAChallenger_NeedsPromoteAStepUpAndThePolicies_AndAVersionThatQualifies()
    {
        using var scientist = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "scientist", [new RoleGrant("default", "data-scientist")]));
        await ProblemAssert.IsProblemAsync(await SetAsync(scientist, new ChallengerRequest(_challenger, "split", 0.1)), HttpStatusCode.Forbidden, "auth.forbidden");
        await ProblemAssert.IsProblemAsync(await scientist.DeleteAsync($"/api/v1/models/{Model}/challenger"), HttpStatusCode.Forbidden, "auth.forbidden");

        // An API key holds models:promote but cannot present a second factor.
        await ProblemAssert.IsProblemAsync(await SetAsync(_admin, new ChallengerRequest(_challenger, "split", 0.1)), HttpStatusCode.Forbidden, "auth.step-up-required");

        // Malformed requests: no share, too large a share, a share that is not a number, an unknown mode.
        await ProblemAssert.IsProblemAsync(await SetAsync(_approver, new ChallengerRequest(_challenger, "split")), HttpStatusCode.BadRequest, "registry.challenger-invalid");
        await ProblemAssert.IsProblemAsync(await SetAsync(_approver, new ChallengerRequest(_challenger, "split", 0.9)), HttpStatusCode.BadRequest, "registry.challenger-invalid");
        await ProblemAssert.IsProblemAsync(await SetAsync(_approver, new ChallengerRequest(_challenger, "canary", 0.1)), HttpStatusCode.BadRequest, "registry.challenger-invalid");
        await ProblemAssert.IsProblemAsync(await SetAsync(_approver, new ChallengerRequest(_challenger, "shadow", 0.2)), HttpStatusCode.BadRequest, "registry.challenger-invalid");
        var infinite = await _approver.PutAsync($"/api/v1/models/{Model}/challenger", Json($"{{\"version\":{_challenger},\"mode\":\"split\",\"share\":1e309}}"));
        Assert.Equal(HttpStatusCode.BadRequest, infinite.StatusCode);

        // Production itself, a missing version, and a candidate older than production are refused.
        await ProblemAssert.IsProblemAsync(await SetAsync(_approver, new ChallengerRequest(_champion, "shadow")), HttpStatusCode.Conflict, "registry.invalid-stage");
        await ProblemAssert.IsProblemAsync(await SetAsync(_approver, new ChallengerRequest(99, "shadow")), HttpStatusCode.NotFound, "registry.version-not-found");
        var newer = await TrainAsync(seed: 11);
        await TrainedModelsFixture.PromoteAsync(_admin, Model, newer);
        await ProblemAssert.IsProblemAsync(await SetAsync(_approver, new ChallengerRequest(_challenger, "shadow")), HttpStatusCode.Conflict, "registry.challenger-not-newer");

        // An ABAC policy that singles out challengers denies the approver; promotion itself stays allowed.
        using var officer = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "officer", [new RoleGrant("*", "security-officer")]));
        var policy = await officer.PutAsJsonAsync("/api/v1/policies", new PutPolicyRequest("""
            policies:
              - id: no-challengers
                effect: forbid
                action: "models:promote"
                when: resource.purpose == "challenger"
            """));
        Assert.Equal(HttpStatusCode.OK, policy.StatusCode);
        var candidate = await TrainAsync(seed: 13);
        await ProblemAssert.IsProblemAsync(await SetAsync(_approver, new ChallengerRequest(candidate, "shadow")), HttpStatusCode.Forbidden, "auth.forbidden");
        Assert.Null((await _approver.GetFromJsonAsync<ChallengerInfo>($"/api/v1/models/{Model}/challenger"))!.Challenger);
    }

    [Fact]
    public async Task Comparison_AfterFeedback_NamesTheBetterModel_AndClearingIsAudited()
    {
        Assert.Equal(HttpStatusCode.OK, (await SetAsync(_approver, new ChallengerRequest(_challenger, "split", 0.5))).StatusCode);
        var served = new List<(Guid Id, int Version, string Label)>();
        foreach (var row in Tabletop.Rows(80))
        {
            var response = await Tabletop.PredictAsync(_app, Model, row);
            var body = (await response.Content.ReadFromJsonAsync<PredictResponse>())!;
            served.Add((body.PredictionId!.Value, body.Version, body.Predictions[0].Label!));
        }

        await WaitForCapturesAsync(served.Select(s => s.Id).ToArray());
        Assert.InRange(served.Count(s => s.Version == _challenger), 10, 70);

        // The world agrees with the challenger and disagrees with the champion.
        foreach (var (id, version, label) in served)
        {
            var truth = version == _challenger ? label : label == "malignant" ? "benign" : "malignant";
            Assert.Equal(HttpStatusCode.Accepted, (await _app.PostAsJsonAsync($"/api/v1/models/{Model}/feedback", new FeedbackRequest(id, truth))).StatusCode);
        }

        // Labels count once the poisoning guard has judged them (the monitor's evaluation does that).
        Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsync($"/api/v1/models/{Model}/monitoring/evaluate", null)).StatusCode);
        var info = (await _admin.GetFromJsonAsync<ChallengerInfo>($"/api/v1/models/{Model}/challenger"))!;
        var comparison = info.Comparison!;
        Assert.Equal("accuracy", comparison.Metric);
        Assert.Equal(served.Count(s => s.Version == _challenger), comparison.Challenger.Labels);
        Assert.Equal(served.Count(s => s.Version == _champion), comparison.Champion.Labels);
        Assert.Equal(1.0, comparison.Challenger.Accuracy);
        Assert.Equal(0.0, comparison.Champion.Accuracy);
        Assert.Equal("challenger", comparison.Better);

        Assert.Equal(HttpStatusCode.NoContent, (await _approver.DeleteAsync($"/api/v1/models/{Model}/challenger")).StatusCode);
        Assert.All(await PredictAsync(40), a => Assert.Equal(_champion, a.Version));
        Assert.Contains(AuditCodes.ModelChallengerCleared, await AuditCodesAsync());
    }

    private Task<HttpResponseMessage> SetAsync(HttpClient client, ChallengerRequest request) =>
        client.PutAsJsonAsync($"/api/v1/models/{Model}/challenger", request);

    private async Task<int> TrainAsync(int seed)
    {
        var submitted = await _admin.PostAsJsonAsync($"/api/v1/models/{Model}/train", new TrainModelRequest(_dataset, "diagnosis", Seed: seed));
        Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
        var job = await TrainedModelsFixture.WaitForJobAsync(_admin, (await submitted.Content.ReadFromJsonAsync<JobInfo>())!.Id);
        Assert.Equal("succeeded", job.State);
        return job.Version!.Value;
    }

    private async Task<(Guid Id, int Version)[]> PredictAsync(int count)
    {
        var rows = Tabletop.Rows(Math.Min(count, 50));
        var result = new (Guid, int)[count];
        for (var i = 0; i < count; i++)
        {
            var response = await Tabletop.PredictAsync(_app, Model, rows[i % rows.Count]);
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            var body = (await response.Content.ReadFromJsonAsync<PredictResponse>())!;
            result[i] = (body.PredictionId!.Value, body.Version);
        }

        return result;
    }

    private async Task<(string Path, byte[] Bytes)> TamperArtifactAsync(int version)
    {
        Guid versionId;
        await using (var scope = _server.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            versionId = (await db.ModelVersions.IgnoreQueryFilters().AsNoTracking().SingleAsync(v => v.ModelName == Model && v.Version == version)).Id;
        }

        var files = Directory.GetFiles(Path.Combine(_server.DataDir, "objects", "model", versionId.ToString("N")), "*", SearchOption.AllDirectories);
        var target = files.OrderByDescending(f => new FileInfo(f).Length).First();
        var original = await File.ReadAllBytesAsync(target);
        var bytes = (byte[])original.Clone();
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(target, bytes);
        return (target, original);
    }

    /// <summary>Captures are written in the background; waits (bounded) until these are stored and returns each one's version.</summary>
    private async Task<Dictionary<Guid, int>> WaitForCapturesAsync(Guid[] ids)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            await using var scope = _server.App.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            var found = await db.CapturedPredictions.IgnoreQueryFilters().Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Version);
            if (found.Count == ids.Length)
            {
                return found;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("Captured predictions were not written.");
    }

    private static async Task<List<CapturedPrediction>> WaitForShadowsAsync(BulwarkDbContext db, int count)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var shadows = await db.CapturedPredictions.IgnoreQueryFilters().AsNoTracking().Where(c => c.ShadowOf != null).ToListAsync();
            if (shadows.Count >= count)
            {
                return shadows;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("Shadow captures were not written.");
    }

    private async Task<int[]> AuditCodesAsync()
    {
        await using var scope = _server.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().AuditEvents.AsNoTracking().Select(e => e.Code).ToArrayAsync();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}

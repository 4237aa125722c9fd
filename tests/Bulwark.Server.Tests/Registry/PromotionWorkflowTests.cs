using System.Net;
using System.Net.Http.Json;
using System.Text;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Registry;
using Bulwark.Core.Storage;
using Bulwark.Server.Tests.Identity;
using Bulwark.Server.Tests.Incidents;
using Bulwark.Server.Tests.Serving;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Registry;

/// <summary>
/// The promotion workflow over real HTTPS with four eyes on: self-approval (also through a second key), distinct
/// approvers for restricted data, gates that block a worse and a poisoned candidate, one-command rollback, and
/// anti-rollback against a replayed older version.
/// </summary>
public sealed class PromotionWorkflowTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private HttpClient _admin = null!;
    private HttpClient _reviewer = null!;
    private HttpClient _secondReviewer = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Bulwark:Registry:RequireFourEyes"] = "true",
            ["Bulwark:Registry:Gates:gated:GoldenDataset"] = "golden",
            ["Bulwark:Registry:Gates:gated:MaxRegression"] = "0.03",
            ["Bulwark:Registry:Gates:gated:RobustnessEpsilon"] = "0.05",
            ["Bulwark:Registry:Gates:gated:MinRobustAccuracy"] = "0.85",
            ["Bulwark:Registry:Gates:strict:MinMetrics:auc"] = "0.9999",
            ["Bulwark:Registry:Gates:private:GoldenDataset"] = "golden",
        });
        _admin = _server.CreateClient(_server.AdminKey);
        _reviewer = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "reviewer", [new RoleGrant("default", "approver")]));
        _secondReviewer = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "second-reviewer", [new RoleGrant("default", "approver")]));
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _reviewer.Dispose();
        _secondReviewer.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Production_NeedsSomeoneElse_NotTheTrainerNorTheTrainersSecondKey()
    {
        var dataset = await ImportAsync("training", Rows(0, 400), "confidential");
        var version = await TrainAsync("plain", dataset);

        // The trainer (the admin key) cannot promote its own version…
        await ProblemAssert.IsProblemAsync(await PromoteAsync(_admin, "plain", version), HttpStatusCode.Forbidden, "registry.self-approval");
        await ProblemAssert.IsProblemAsync(await ApproveAsync(_admin, "plain", version), HttpStatusCode.Forbidden, "registry.self-approval");

        // …nor with a second key it created: the key counts as the person behind it.
        var created = await _admin.PostAsJsonAsync("/api/v1/keys", new CreateApiKeyRequest("second-pair-of-eyes", ["models:promote", "models:read"]));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var secondKey = _server.CreateClient((await created.Content.ReadFromJsonAsync<CreatedApiKeyInfo>())!.Key);
        await ProblemAssert.IsProblemAsync(await PromoteAsync(secondKey, "plain", version), HttpStatusCode.Forbidden, "registry.self-approval");
        await ProblemAssert.IsProblemAsync(await ApproveAsync(secondKey, "plain", version), HttpStatusCode.Forbidden, "registry.self-approval");
        Assert.Equal("candidate", (await VersionAsync("plain", version)).Stage);

        // An approver who had no part in it may; the approval is recorded once and audited.
        Assert.Equal(HttpStatusCode.Created, (await ApproveAsync(_reviewer, "plain", version)).StatusCode);
        await ProblemAssert.IsProblemAsync(await ApproveAsync(_reviewer, "plain", version), HttpStatusCode.Conflict, "registry.already-approved");
        var promoted = await PromoteAsync(_admin, "plain", version);
        Assert.True(promoted.StatusCode == HttpStatusCode.OK, await promoted.Content.ReadAsStringAsync());
        Assert.Equal("production", (await VersionAsync("plain", version)).Stage);

        var events = await AuditCodesAsync();
        Assert.Contains(AuditCodes.ModelPromotionBlocked, events);
        Assert.Contains(AuditCodes.ModelApproved, events);
    }

    [Fact]
    public async Task RestrictedTrainingData_NeedsTwoDistinctApprovers_AndPassesMembershipInference()
    {
        await ImportAsync("golden", Rows(400, 569), "confidential");
        var dataset = await ImportAsync("patients", Rows(0, 400), "restricted");
        var version = await TrainAsync("private", dataset);

        await ProblemAssert.IsProblemAsync(await PromoteAsync(_reviewer, "private", version), HttpStatusCode.Conflict, "registry.approval-required");
        Assert.Equal(HttpStatusCode.Created, (await ApproveAsync(_secondReviewer, "private", version)).StatusCode);

        var gates = await _reviewer.GetFromJsonAsync<GateReportInfo>($"/api/v1/models/private/versions/{version}/gates");
        var membership = Assert.Single(gates!.Results, r => r.Gate == "membership-inference");
        Assert.True(membership.Passed, membership.Detail);
        Assert.InRange(membership.Value!.Value, 0.3, 0.6);

        var promoted = await PromoteAsync(_reviewer, "private", version);
        Assert.True(promoted.StatusCode == HttpStatusCode.OK, await promoted.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Gates_BlockAWorseAndAPoisonedCandidate_AndAMetricBelowItsFloor()
    {
        await ImportAsync("golden", Rows(400, 569), "confidential");
        var good = await TrainAsync("gated", await ImportAsync("training", Rows(0, 400), "confidential"));
        await ApproveAndPromoteAsync("gated", good);

        // Labels flipped on 45% of the rows (what a poisoned feedback batch would do to the next training set).
        var poisoned = await TrainAsync("gated", await ImportAsync("poisoned", Rows(0, 400, flip: i => i % 20 < 9), "confidential"));
        var report = (await _reviewer.GetFromJsonAsync<GateReportInfo>($"/api/v1/models/gated/versions/{poisoned}/gates"))!;
        Assert.False(report.Passed);
        Assert.False(Assert.Single(report.Results, r => r.Gate == "golden-regression").Passed);
        Assert.Equal(HttpStatusCode.Created, (await ApproveAsync(_reviewer, "gated", poisoned)).StatusCode);
        await ProblemAssert.IsProblemAsync(await PromoteAsync(_secondReviewer, "gated", poisoned), HttpStatusCode.UnprocessableEntity, "registry.gate-failed");
        await ProblemAssert.IsProblemAsync(await PromoteAsync(_secondReviewer, "gated", poisoned, "staging"), HttpStatusCode.UnprocessableEntity, "registry.gate-failed");
        Assert.Equal(good, (await ProductionAsync("gated")).Version);

        // A second good version (another seed) passes every gate, robustness included, and goes through staging.
        var better = await TrainAsync("gated", await ImportAsync("training-2", Rows(0, 400), "confidential"), seed: 7);
        var passing = (await _reviewer.GetFromJsonAsync<GateReportInfo>($"/api/v1/models/gated/versions/{better}/gates"))!;
        Assert.True(passing.Passed, string.Join("; ", passing.Results.Select(r => r.Detail)));
        Assert.Contains(passing.Results, r => r.Gate == "robustness");
        Assert.Equal(HttpStatusCode.OK, (await PromoteAsync(_reviewer, "gated", better, "staging")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PromoteAsync(_reviewer, "gated", better)).StatusCode);

        // An absolute floor nobody can meet.
        var strict = await TrainAsync("strict", await ImportAsync("training-3", Rows(0, 400), "confidential"));
        await ProblemAssert.IsProblemAsync(await PromoteAsync(_reviewer, "strict", strict), HttpStatusCode.UnprocessableEntity, "registry.gate-failed");
    }

    [Fact]
    public async Task Rollback_OneCommand_PutsThePreviousProductionVersionBack()
    {
        var dataset = await ImportAsync("training", Rows(0, 400), "confidential");
        var v1 = await TrainAsync("rolling", dataset);
        await ApproveAndPromoteAsync("rolling", v1);
        var v2 = await TrainAsync("rolling", dataset, seed: 3);
        await ApproveAndPromoteAsync("rolling", v2);

        await ProblemAssert.IsProblemAsync(await _reviewer.PostAsJsonAsync("/api/v1/models/rolling/rollback", new RollbackRequest("")), HttpStatusCode.BadRequest, "request.invalid");
        var rolled = await _reviewer.PostAsJsonAsync("/api/v1/models/rolling/rollback", new RollbackRequest("v2 misbehaves in production"));
        Assert.True(rolled.StatusCode == HttpStatusCode.OK, await rolled.Content.ReadAsStringAsync());
        Assert.Equal(v1, (await ProductionAsync("rolling")).Version);
        Assert.Equal(v1, await PredictedVersionAsync("rolling"));

        var releases = (await _admin.GetFromJsonAsync<ReleaseInfo[]>("/api/v1/models/rolling/releases"))!;
        Assert.Equal(["promote", "promote", "rollback"], releases.Select(r => r.Action));
        Assert.Equal([v1, v2, v1], releases.Select(r => r.Version!.Value));
        Assert.All(releases, r => Assert.Matches("^[0-9a-f]{64}$", r.RootDigest!));
    }

    [Fact]
    public async Task Rollback_NeverBringsBackAQuarantinedVersion_AndQuarantineVoidsItsApprovals()
    {
        var dataset = await ImportAsync("training", Rows(0, 400), "confidential");
        var v1 = await TrainAsync("suspect", dataset);
        await ApproveAndPromoteAsync("suspect", v1);
        var v2 = await TrainAsync("suspect", dataset, seed: 9);
        Assert.Equal(HttpStatusCode.Created, (await ApproveAsync(_secondReviewer, "suspect", v2)).StatusCode);
        await ApproveAndPromoteAsync("suspect", v2);

        // Version 2 is found to carry a backdoor: quarantined, version 1 takes over; later its files verify again.
        using var officer = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "responder", [new RoleGrant("*", "security-officer")]));
        await Tabletop.PostOkAsync(officer, $"/api/v1/models/suspect/versions/{v2}/quarantine", new ContainmentActionRequest("backdoor suspected"));
        Assert.Empty((await _admin.GetFromJsonAsync<ApprovalInfo[]>($"/api/v1/models/suspect/versions/{v2}/approvals"))!);
        await Tabletop.PostOkAsync(_reviewer, $"/api/v1/models/suspect/versions/{v2}/reinstate", new ReinstateRequest("files verify"));

        // "Roll back" to it in one command: refused; it takes a normal promotion with gates and fresh approvals.
        await ProblemAssert.IsProblemAsync(await _reviewer.PostAsJsonAsync("/api/v1/models/suspect/rollback", new RollbackRequest("undo the fallback")),
            HttpStatusCode.Conflict, "registry.invalid-stage");
        Assert.Equal(v1, (await ProductionAsync("suspect")).Version);
    }

    [Fact]
    public async Task ApprovalAndRollback_AnswerToThePoliciesOnTheVersion_LikePromotion()
    {
        var dataset = await ImportAsync("training", Rows(0, 400), "confidential");
        var v1 = await TrainAsync("policed", dataset);
        await ApproveAndPromoteAsync("policed", v1);
        var v2 = await TrainAsync("policed", dataset, seed: 11);
        await ApproveAndPromoteAsync("policed", v2);

        using var officer = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "policy-writer", [new RoleGrant("*", "security-officer")]));
        var policy = "policies:\n  - id: never-v1-again\n    effect: forbid\n    action: \"models:promote\"\n    resource: { type: modelVersion }\n    when: resource.id == \"policed/1\"\n";
        Assert.Equal(HttpStatusCode.OK, (await officer.PutAsJsonAsync("/api/v1/policies", new PutPolicyRequest(policy))).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await ApproveAsync(_secondReviewer, "policed", v1)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _reviewer.PostAsJsonAsync("/api/v1/models/policed/rollback", new RollbackRequest("back to v1"))).StatusCode);
        Assert.Equal(v2, (await ProductionAsync("policed")).Version);
    }

    [Fact]
    public async Task GateDryRuns_AreRateLimitedPerCaller()
    {
        var dataset = await ImportAsync("training", Rows(0, 400), "confidential");
        var version = await TrainAsync("limited", dataset);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            statuses.Add((await _reviewer.GetAsync($"/api/v1/models/limited/versions/{version}/gates")).StatusCode);
        }

        Assert.Equal(6, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(2, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task ReplayedOlderVersion_VerifiesButIsRefused_AndOpensAnIncident()
    {
        var dataset = await ImportAsync("training", Rows(0, 400), "confidential");
        var v1 = await TrainAsync("replayed", dataset);
        await ApproveAndPromoteAsync("replayed", v1);

        // What a database backup from before version 2 holds: version 1 in production, with the stage tag it had then.
        ModelVersion snapshot;
        await using (var scope = _server.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            snapshot = await db.ModelVersions.IgnoreQueryFilters().AsNoTracking().SingleAsync(v => v.ModelName == "replayed" && v.Version == v1);
        }

        var v2 = await TrainAsync("replayed", dataset, seed: 5);
        await ApproveAndPromoteAsync("replayed", v2);
        Assert.Equal(v2, await PredictedVersionAsync("replayed"));

        // Detection's first pass only warms up on history; what happens from here on is what it reports.
        await Tabletop.DetectAsync(_server);

        // The attacker restores version 1's old row and puts version 2 back to candidate (its pre-promotion row, tag included).
        await using (var scope = _server.App.Services.CreateAsyncScope())
        {
            var services = scope.ServiceProvider;
            var db = services.GetRequiredService<BulwarkDbContext>();
            var tags = services.GetRequiredService<ModelStageTag>();
            var rows = await db.ModelVersions.IgnoreQueryFilters().Where(v => v.ModelName == "replayed").ToListAsync();
            var old = rows.Single(v => v.Version == v1);
            old.Stage = snapshot.Stage;
            old.StageTag = snapshot.StageTag;
            old.PromotedAt = snapshot.PromotedAt;
            var current = rows.Single(v => v.Version == v2);
            current.Stage = ModelStage.Candidate;
            tags.Apply(current);
            await db.SaveChangesAsync();
            Assert.True(tags.Verify(old) && tags.Verify(current));
        }

        InvalidateCache("replayed");
        var refused = await Tabletop.PredictAsync(_admin, "replayed", Tabletop.Rows(1)[0]);
        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "registry.release-mismatch");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _admin.GetAsync("/v2/models/replayed/ready")).StatusCode);

        // Deleting the newest release entry to make the record agree does not help while this process remembers it.
        await using (var scope = _server.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            var newest = await db.ModelReleases.IgnoreQueryFilters().Where(r => r.ModelName == "replayed").OrderByDescending(r => r.Sequence).FirstAsync();
            db.ModelReleases.Remove(newest);
            await db.SaveChangesAsync();
        }

        InvalidateCache("replayed");
        await ProblemAssert.IsProblemAsync(await Tabletop.PredictAsync(_admin, "replayed", Tabletop.Rows(1)[0]), HttpStatusCode.ServiceUnavailable, "registry.release-mismatch");

        // The refusal is a model-integrity finding: detection opens an incident for it.
        Assert.True(await Tabletop.DetectAsync(_server) >= 1);
        using var officer = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "officer", [new RoleGrant("*", "security-officer")]));
        var incidents = (await officer.GetFromJsonAsync<IReadOnlyList<IncidentSummary>>("/api/v1/incidents"))!;
        Assert.Contains(incidents, i => i.Rule == "integrity.model");
    }

    private void InvalidateCache(string model) =>
        _server.App.Services.GetRequiredService<Core.Serving.LoadedModelCache>().Invalidate(Core.Projects.ProjectIds.Default, model);

    private async Task ApproveAndPromoteAsync(string model, int version)
    {
        var promoted = await PromoteAsync(_reviewer, model, version);
        Assert.True(promoted.StatusCode == HttpStatusCode.OK, await promoted.Content.ReadAsStringAsync());
    }

    private async Task<int> TrainAsync(string model, Guid dataset, int seed = 42)
    {
        var submitted = await _admin.PostAsJsonAsync($"/api/v1/models/{model}/train", new TrainModelRequest(dataset, "diagnosis", Seed: seed));
        Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
        var job = await TrainedModelsFixture.WaitForJobAsync(_admin, (await submitted.Content.ReadFromJsonAsync<JobInfo>())!.Id);
        Assert.True(job.State == "succeeded", job.Message);
        return job.Version!.Value;
    }

    private async Task<Guid> ImportAsync(string name, string csv, string classification)
    {
        using var content = new StringContent(csv, Encoding.UTF8);
        content.Headers.ContentType = new("text/csv");
        var imported = await _admin.PostAsync($"/api/v1/datasets?name={name}&classification={classification}&label=diagnosis", content);
        Assert.True(imported.StatusCode == HttpStatusCode.Created, await imported.Content.ReadAsStringAsync());
        return (await imported.Content.ReadFromJsonAsync<DatasetInfo>())!.Id;
    }

    /// <summary>Header plus data rows [from, to) of the bundled CSV, optionally with the label flipped where <paramref name="flip"/> says.</summary>
    private static string Rows(int from, int to, Func<int, bool>? flip = null)
    {
        var lines = File.ReadAllLines(RepositoryPaths.BreastCancerCsv);
        var body = lines.Skip(1 + from).Take(to - from).Select((line, i) =>
        {
            if (flip?.Invoke(i) != true)
            {
                return line;
            }

            var cut = line.LastIndexOf(',');
            return line[..(cut + 1)] + (line[(cut + 1)..] == "malignant" ? "benign" : "malignant");
        });
        return string.Join('\n', new[] { lines[0] }.Concat(body)) + "\n";
    }

    private static Task<HttpResponseMessage> PromoteAsync(HttpClient client, string model, int version, string stage = "production") =>
        client.PostAsJsonAsync($"/api/v1/models/{model}/promote", new PromoteRequest(version, stage));

    private static Task<HttpResponseMessage> ApproveAsync(HttpClient client, string model, int version) =>
        client.PostAsJsonAsync($"/api/v1/models/{model}/versions/{version}/approvals", new ApproveRequest("reviewed the metrics"));

    private async Task<ModelVersionInfo> VersionAsync(string model, int version) =>
        (await _admin.GetFromJsonAsync<ModelVersionInfo[]>($"/api/v1/models/{model}/versions"))!.Single(v => v.Version == version);

    private async Task<ModelVersionInfo> ProductionAsync(string model) =>
        (await _admin.GetFromJsonAsync<ModelVersionInfo[]>($"/api/v1/models/{model}/versions"))!.Single(v => v.Stage == "production");

    private async Task<int> PredictedVersionAsync(string model)
    {
        var response = await Tabletop.PredictAsync(_admin, model, Tabletop.Rows(1)[0]);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<PredictResponse>())!.Version;
    }

    private async Task<int[]> AuditCodesAsync()
    {
        await using var scope = _server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
        return await db.AuditEvents.Select(e => e.Code).ToArrayAsync();
    }
}

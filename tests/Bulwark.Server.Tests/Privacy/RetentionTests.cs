using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Datasets;
using Bulwark.Core.Privacy;
using Bulwark.Core.Storage;
using Bulwark.Server.Tests.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Privacy;

/// <summary>
/// Per-project retention over real HTTPS: administrators with MFA set it, values below the compliance floors are refused
/// with a stable code, and the purge (driven on the fake clock) deletes captures, feedback and datasets past it, with
/// every pass audited. Audit retention stays instance-wide and is only shown.
/// </summary>
public sealed class RetentionTests : IAsyncLifetime
{
    private const string Model = "ward";
    private TestServer _server = null!;
    private HttpClient _admin = null!;
    private HttpClient _root = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _admin = _server.CreateClient(_server.AdminKey);
        _root = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "root", [new RoleGrant("*", "admin")]));
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _root.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Retention_Defaults_AndAuditStaysInstanceWideWithinPciFloors()
    {
        var retention = (await _admin.GetFromJsonAsync<RetentionInfo>("/api/v1/projects/default/retention"))!;
        Assert.Equal((30, true, (int?)null), (retention.CapturesDays, retention.CapturesDefault, retention.DatasetsDays));

        // PCI DSS 4.0 10.5.1: three months at once, twelve in all.
        Assert.True(retention.AuditHotDays >= 90);
        Assert.True(retention.AuditTotalDays >= 365);
    }

    [Fact]
    public async Task SetRetention_WithoutMfa_BelowTheFloors_OrOutOfRange_IsRefusedAndUnchanged()
    {
        await ProblemAssert.IsProblemAsync(await _admin.PutAsJsonAsync("/api/v1/projects/default/retention", new SetRetentionRequest(7, null)),
            HttpStatusCode.Forbidden, ErrorCodes.StepUpRequired);
        using var officer = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "officer", [new RoleGrant("*", "security-officer")]));
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.PutAsJsonAsync("/api/v1/projects/default/retention", new SetRetentionRequest(7, null))).StatusCode);

        var floor = await ProblemAssert.IsProblemAsync(await _root.PutAsJsonAsync("/api/v1/projects/default/retention", new SetRetentionRequest(1, null)),
            (HttpStatusCode)422, ErrorCodes.RetentionBelowFloor);
        Assert.Equal("captures", floor.GetProperty("kind").GetString());
        await ProblemAssert.IsProblemAsync(await _root.PutAsJsonAsync("/api/v1/projects/default/retention", new SetRetentionRequest(null, 5)),
            (HttpStatusCode)422, ErrorCodes.RetentionBelowFloor);
        foreach (var bad in new[] { "{\"capturesDays\": 0}", "{\"capturesDays\": -5}", "{\"datasetsDays\": 99999999}" })
        {
            await ProblemAssert.IsProblemAsync(await _root.PutAsync("/api/v1/projects/default/retention", new StringContent(bad, System.Text.Encoding.UTF8, "application/json")),
                HttpStatusCode.BadRequest);
        }

        await ProblemAssert.IsProblemAsync(await _root.PutAsync("/api/v1/projects/default/retention", new StringContent("{\"capturesDays\": \"7\"}", System.Text.Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(await _root.GetAsync("/api/v1/projects/no-such-project/retention"), HttpStatusCode.NotFound);

        var unchanged = (await _admin.GetFromJsonAsync<RetentionInfo>("/api/v1/projects/default/retention"))!;
        Assert.True(unchanged.CapturesDefault);
    }

    [Fact]
    public async Task Purge_OnAFakeClock_DeletesWhatIsPastRetention_AndAuditsEveryPass()
    {
        var dataset = await PrivacyScenario.ImportOkAsync(_admin, "patients");
        await PrivacyScenario.TrainAndPromoteAsync(_admin, Model, dataset.Id);
        var set = await _root.PutAsJsonAsync("/api/v1/projects/default/retention", new SetRetentionRequest(7, 30));
        Assert.True(set.StatusCode == HttpStatusCode.OK, await set.Content.ReadAsStringAsync());
        Assert.Equal((7, false, (int?)30), await RetentionAsync());

        var old = await PrivacyScenario.PredictAsync(_admin, Model, 1, "P-0001");
        await PrivacyScenario.WaitForCapturesAsync(_server, 1);
        Assert.Equal(HttpStatusCode.Accepted, (await _admin.PostAsJsonAsync($"/api/v1/models/{Model}/feedback", new FeedbackRequest(old, "benign"))).StatusCode);

        var worker = _server.App.Services.GetRequiredService<RetentionWorker>();
        Assert.Equal(new RetentionReport(0, 0, 0), await worker.RunOnceAsync());

        // Eight days pass for what is stored (backdated against the server's clock: advancing the shared fake clock by
        // days fires every periodic timer of the host once per period, which is the other tests' business).
        await BackdateAsync(TimeSpan.FromDays(8));
        var recent = await PrivacyScenario.PredictAsync(_admin, Model, 2, "P-0002");
        await PrivacyScenario.WaitForCapturesAsync(_server, 2);
        Assert.Equal(new RetentionReport(1, 1, 0), await worker.RunOnceAsync());
        await using (var scope = _server.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            Assert.Equal([recent], await db.CapturedPredictions.IgnoreQueryFilters().Select(c => c.Id).ToListAsync());
            Assert.Empty(await db.FeedbackLabels.IgnoreQueryFilters().ToListAsync());
        }

        await BackdateAsync(TimeSpan.FromDays(23));
        Assert.Equal(new RetentionReport(1, 0, 1), await worker.RunOnceAsync());
        Assert.DoesNotContain((await _admin.GetFromJsonAsync<DatasetInfo[]>("/api/v1/datasets"))!, d => d.Id == dataset.Id);
        await using (var scope = _server.App.Services.CreateAsyncScope())
        {
            Assert.False(File.Exists(scope.ServiceProvider.GetRequiredService<ArtifactStore>().FullPath(DatasetImporter.ArtifactPurpose, dataset.Id.ToString("N"))));
            var passes = await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().AuditEvents.IgnoreQueryFilters()
                .Where(e => e.Code == AuditCodes.RetentionPurged).OrderBy(e => e.Sequence).ToListAsync();
            Assert.Equal(3, passes.Count);
            using var last = JsonDocument.Parse(passes[^1].Details);
            Assert.Equal(1, last.RootElement.GetProperty("datasets").GetInt32());
            Assert.Equal(1, last.RootElement.GetProperty("projects").GetProperty("default").GetProperty("captures").GetInt32());
            Assert.Single(await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().AuditEvents.IgnoreQueryFilters()
                .Where(e => e.Code == AuditCodes.RetentionChanged).ToListAsync());
        }
    }

    private async Task BackdateAsync(TimeSpan age)
    {
        await using var scope = _server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
        foreach (var capture in await db.CapturedPredictions.IgnoreQueryFilters().ToListAsync())
        {
            capture.At -= age;
        }

        foreach (var label in await db.FeedbackLabels.IgnoreQueryFilters().ToListAsync())
        {
            label.At -= age;
        }

        foreach (var dataset in await db.Datasets.IgnoreQueryFilters().ToListAsync())
        {
            dataset.CreatedAt -= age;
        }

        await db.SaveChangesAsync();
    }

    private async Task<(int, bool, int?)> RetentionAsync()
    {
        var r = (await _admin.GetFromJsonAsync<RetentionInfo>("/api/v1/projects/default/retention"))!;
        return (r.CapturesDays, r.CapturesDefault, r.DatasetsDays);
    }
}

using System.Globalization;
using System.Net;
using System.Text;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Incidents;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Serving;

/// <summary>Model-extraction defences: near-duplicate probing is detected (and becomes an incident), real traffic is not; budgets hold.</summary>
[Collection(TrainedModelsCollection.Name)]
public sealed class ExtractionDefenceTests(TrainedModelsFixture fixture)
{
    private static string Batch(IEnumerable<IReadOnlyDictionary<string, double>> rows) =>
        "{\"instances\":[" + string.Join(',', rows.Select(r => "{" + string.Join(',', r.Select(kv =>
            $"\"{kv.Key}\":{kv.Value.ToString("R", CultureInfo.InvariantCulture)}")) + "}")) + "]}";

    private static IReadOnlyList<Dictionary<string, double>> HoldOutRows(int count)
    {
        var lines = File.ReadLines(RepositoryPaths.BreastCancerCsv).Take(count + 1).Select(l => l.Split(',')).ToArray();
        return [.. lines.Skip(1).Select(cells => lines[0].Select((name, i) => (name, i)).Where(c => c.name != "diagnosis")
            .ToDictionary(c => c.name, c => double.Parse(cells[c.i], CultureInfo.InvariantCulture)))];
    }

    private async Task<long> ProbingEventsAsync(string principal)
    {
        await using var scope = fixture.Server.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().AuditEvents
            .LongCountAsync(e => e.Code == AuditCodes.ProbingDetected && e.Principal == principal);
    }

    [Fact]
    public async Task JitteredCopiesOfOneInput_AreDetectedAsProbing_DistinctHoldOutRowsAreNot()
    {
        var model = TrainedModelsFixture.MlNetModel;
        var prober = await fixture.Server.CreateKeyAsync([$"predict:{model}"], name: "prober");
        var honest = await fixture.Server.CreateKeyAsync([$"predict:{model}"], name: "honest");
        using var proberClient = fixture.Server.CreateClient(prober.Key);
        using var honestClient = fixture.Server.CreateClient(honest.Key);
        var detection = fixture.Server.App.Services.GetRequiredService<DetectionWorker>();
        await detection.RunOnceAsync();   // what came before is history

        // 500 distinct hold-out rows: real traffic.
        foreach (var chunk in HoldOutRows(500).Chunk(50))
        {
            var response = await honestClient.PostAsync($"/v1/models/{model}:predict", new StringContent(Batch(chunk), Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // 500 copies of one input, each feature nudged by a relative 1e-6: the shape of a boundary search.
        var seed = HoldOutRows(1)[0];
        var copies = Enumerable.Range(0, 500).Select(n => (IReadOnlyDictionary<string, double>)seed.Select((kv, f) => (kv, f)).ToDictionary(x => x.kv.Key,
            x => x.kv.Value * (1 + Math.Sin((n * 31) + x.f) * 1e-6)));
        foreach (var chunk in copies.Chunk(50))
        {
            var response = await proberClient.PostAsync($"/v1/models/{model}:predict", new StringContent(Batch(chunk), Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(0, await ProbingEventsAsync("key:" + honest.Info.Prefix));
        Assert.Equal(1, await ProbingEventsAsync("key:" + prober.Info.Prefix));   // once per cool-down, not per row

        // The detection rule turns it into an incident about the prober's key.
        await detection.RunOnceAsync();
        await using var scope = fixture.Server.App.Services.CreateAsyncScope();
        var incidents = await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().Incidents.ToListAsync();
        Assert.Contains(incidents, i => i.RuleId == "serving.probing" && i.Subject == "key:" + prober.Info.Prefix);
        Assert.DoesNotContain(incidents, i => i.Subject == "key:" + honest.Info.Prefix);
    }
}

public sealed class QueryBudgetTests
{
    [Fact]
    public async Task Budget_Spent_Is429WithRetryAfter_AuditedOnce_AndRenewsAtMidnight()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Bulwark:Serving:QueryBudgets:budgeted"] = "30" });
        using var admin = server.CreateClient(server.AdminKey);
        await Incidents.Tabletop.TrainAndPromoteAsync(admin, "budgeted", await Incidents.Tabletop.ImportDatasetAsync(admin));
        var key = await server.CreateKeyAsync(["predict:budgeted"], name: "scraper");
        using var client = server.CreateClient(key.Key);
        var rows = Incidents.Tabletop.Rows(40);

        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Incidents.Tabletop.PredictAsync(client, "budgeted", rows[i])).StatusCode);
        }

        var refused = await Incidents.Tabletop.PredictAsync(client, "budgeted", rows[30]);
        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.TooManyRequests, ErrorCodes.QueryBudgetExhausted);
        var retryAfter = long.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 86_400);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Incidents.Tabletop.PredictAsync(client, "budgeted", rows[31])).StatusCode);

        // Another key has its own budget.
        using var other = server.CreateClient((await server.CreateKeyAsync(["predict:budgeted"], name: "other")).Key);
        Assert.Equal(HttpStatusCode.OK, (await Incidents.Tabletop.PredictAsync(other, "budgeted", rows[0])).StatusCode);

        await using (var scope = server.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Code == AuditCodes.QueryBudgetExhausted));
        }

        server.Time.Advance(TimeSpan.FromSeconds(retryAfter));
        Assert.Equal(HttpStatusCode.OK, (await Incidents.Tabletop.PredictAsync(client, "budgeted", rows[32])).StatusCode);
    }
}

using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Storage;
using Bulwark.Server.Tests.Incidents;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Monitoring;

/// <summary>
/// Drift within one evaluation window over real HTTPS: traffic like the training data stays quiet; a shifted population
/// (only malignant cases arriving, a real covariate shift with every value in range) alerts and is audited.
/// </summary>
public sealed class DriftMonitoringTests : IAsyncLifetime
{
    private const string Model = "drifting";
    private TestServer _server = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Bulwark:Monitoring:EvaluationWindow"] = "00:30:00" });
        _admin = _server.CreateClient(_server.AdminKey);
        await Tabletop.TrainAndPromoteAsync(_admin, Model, await Tabletop.ImportDatasetAsync(_admin));
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task UnshiftedTraffic_IsQuiet_ShiftedPopulation_AlertsWithinOneWindow()
    {
        var rows = File.ReadLines(RepositoryPaths.BreastCancerCsv).ToArray();
        var header = rows[0].Split(',');

        // Every other row of the data: the same population the model was trained on.
        await ServeAsync(header, rows.Skip(1).Where((_, i) => i % 2 == 0).ToArray());
        var quiet = await EvaluateAsync();
        Assert.True(quiet.Status != "alert", quiet.Findings.ToString());
        Assert.True(quiet.Rows >= 280, $"rows {quiet.Rows}");
        Assert.DoesNotContain("alert", quiet.Findings.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("level").GetString()));

        // An hour later (the window is 30 minutes): only malignant cases arrive (larger tumours), every value inside the
        // training range.
        _server.Time.Advance(TimeSpan.FromHours(1));
        await ServeAsync(header, rows.Skip(1).Where(r => r.EndsWith(",malignant", StringComparison.Ordinal)).ToArray());
        var shifted = await EvaluateAsync();
        Assert.Equal("alert", shifted.Status);

        // Asking again and again does not shrink the window until drift disappears: it is a fixed trailing period.
        Assert.Equal("alert", (await EvaluateAsync()).Status);
        var drifted = shifted.Findings.GetProperty("features").EnumerateArray().Where(f => f.GetProperty("level").GetString() == "alert")
            .Select(f => f.GetProperty("feature").GetString()).ToList();
        Assert.Contains("worst_radius", drifted);
        Assert.Equal("alert", shifted.Findings.GetProperty("predictions").GetProperty("level").GetString());

        // The drift gauge carries the latest scores (model and "max"/"prediction" only; no feature names in labels).
        using var scraper = _server.CreateClient(await Telemetry.InstanceKeys.CreateAsync(_server.App, ["metrics:read"]));
        var metrics = await scraper.GetStringAsync("/metrics");
        Assert.Matches("bulwark_monitoring_drift_score\\{[^}]*feature=\"max\"[^}]*model=\"drifting\"", metrics);
        Assert.DoesNotContain("feature=\"worst_radius\"", metrics, StringComparison.Ordinal);

        await using var scope = _server.App.Services.CreateAsyncScope();
        var events = await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().AuditEvents.Where(e => e.Code == AuditCodes.ModelDriftDetected).ToListAsync();
        var drift = events[0];
        Assert.Equal(2, events.Count);
        Assert.DoesNotContain(rows[1].Split(',')[0], drift.Details, StringComparison.Ordinal);
    }

    /// <summary>Serves the rows in requests of 40 (each small enough to be captured) and waits until every capture is stored.</summary>
    private async Task ServeAsync(string[] header, string[] rows)
    {
        int before;
        await using (var scope = _server.App.Services.CreateAsyncScope())
        {
            before = await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().CapturedPredictions.IgnoreQueryFilters().CountAsync();
        }

        var requests = 0;
        foreach (var chunk in rows.Chunk(40))
        {
            var instances = chunk.Select(line =>
            {
                var cells = line.Split(',');
                return "{" + string.Join(',', header.Select((name, i) => (name, i)).Where(c => c.name != "diagnosis")
                    .Select(c => $"\"{c.name}\":{double.Parse(cells[c.i], CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)}")) + "}";
            });
            var response = await _admin.PostAsync($"/v1/models/{Model}:predict",
                new StringContent("{\"instances\":[" + string.Join(',', instances) + "]}", Encoding.UTF8, "application/json"));
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            requests++;
        }

        for (var attempt = 0; attempt < 200; attempt++)
        {
            await using var scope = _server.App.Services.CreateAsyncScope();
            if (await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().CapturedPredictions.IgnoreQueryFilters().CountAsync() == before + requests)
            {
                // The next evaluation window starts after this one: keep the two sets of traffic apart on the fake clock.
                _server.Time.Advance(TimeSpan.FromMinutes(1));
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("Captured predictions were not written.");
    }

    private async Task<MonitoringReportInfo> EvaluateAsync()
    {
        var response = await _admin.PostAsync($"/api/v1/models/{Model}/monitoring/evaluate", null);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        _server.Time.Advance(TimeSpan.FromMinutes(1));
        return (await response.Content.ReadFromJsonAsync<MonitoringReportInfo>())!;
    }
}

using System.Net;
using Bulwark.Core;
using Bulwark.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Telemetry;

/// <summary>The Prometheus names dashboards and alerts are written against, and docs/operations.md lists: a rename fails here.</summary>
public sealed class InstrumentNamesTests
{
    private static readonly (string Name, string Type)[] Documented =
    [
        ("bulwark_auth_denials_total", "counter"),
        ("bulwark_ratelimit_rejections_total", "counter"),
        ("bulwark_serving_predictions_total", "counter"),
        ("bulwark_serving_prediction_duration_seconds", "histogram"),
        ("bulwark_serving_validation_failures_total", "counter"),
        ("bulwark_audit_events_total", "counter"),
        ("bulwark_incidents_open", "gauge"),
        ("bulwark_monitoring_drift_score", "gauge"),
    ];

    [Fact]
    public async Task Scrape_EveryBulwarkInstrument_HasItsDocumentedNameAndType()
    {
        await using var server = await TestServer.StartAsync();
        var metrics = server.App.Services.GetRequiredService<BulwarkMetrics>();
        metrics.AuthDenied(DenialReasons.Policy);
        metrics.RateLimitRejected("global");
        metrics.AuditEventAppended("model.predict", "success");
        metrics.ObserveDriftScores(() => [new DriftScore("fraud", "amount", 0.1)]);
        using (var measurement = metrics.StartPrediction("default"))
        {
            measurement.Resolved("fraud", 1);
            measurement.Complete(new Failure("serving.missing-feature", 400, "x"));
        }

        using var scraper = server.CreateClient(await InstanceKeys.CreateAsync(server.App, ["metrics:read"]));
        var text = await (await scraper.GetAsync("/metrics")).Content.ReadAsStringAsync();

        var bulwarkTypes = text.Split('\n').Where(l => l.StartsWith("# TYPE bulwark_", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        Assert.Equal(Documented.Select(d => $"# TYPE {d.Name} {d.Type}").Order(StringComparer.Ordinal), bulwarkTypes);
        Assert.Equal(1, PrometheusText.Sum(text, "bulwark_serving_validation_failures_total", "code=\"serving.missing-feature\""));
        Assert.Equal(1, PrometheusText.Sum(text, "bulwark_serving_prediction_duration_seconds_count", "model=\"fraud\"", "outcome=\"rejected\"", "project=\"default\""));
        Assert.Equal(0.1, PrometheusText.Sum(text, "bulwark_monitoring_drift_score", "feature=\"amount\"", "model=\"fraud\""));
    }

    [Fact]
    public async Task Scrape_AskingForOpenMetrics_GetsOpenMetrics()
    {
        await using var server = await TestServer.StartAsync();
        using var scraper = server.CreateClient(await InstanceKeys.CreateAsync(server.App, ["metrics:read"]));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add("Accept", "application/openmetrics-text; version=1.0.0");

        var response = await scraper.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/openmetrics-text", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("# EOF\n", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void OperationsDoc_ListsEveryMetric()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "operations.md"));
        Assert.All(Documented, d => Assert.Contains($"`{d.Name}`", doc, StringComparison.Ordinal));
    }
}

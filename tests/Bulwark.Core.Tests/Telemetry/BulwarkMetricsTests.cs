using Bulwark.Core.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Core.Tests.Telemetry;

public sealed class BulwarkMetricsTests
{
    private static BulwarkMetrics NewMetrics() => new(null, new FakeTimeProvider());

    [Fact]
    public void OpenIncidents_NoSource_IsZero()
    {
        using var metrics = NewMetrics();
        using var recorder = new MeasurementRecorder(metrics.Meter);

        Assert.Equal(0, Assert.Single(recorder.Observe("bulwark.incidents.open")).Value);
    }

    [Fact]
    public void OpenIncidents_RegisteredSource_IsReadAtEachObservation()
    {
        using var metrics = NewMetrics();
        using var recorder = new MeasurementRecorder(metrics.Meter);
        long open = 3;
        metrics.ObserveOpenIncidents(() => open);

        Assert.Equal(3, Assert.Single(recorder.Observe("bulwark.incidents.open")).Value);
        open = 1;
        Assert.Equal(1, Assert.Single(recorder.Observe("bulwark.incidents.open")).Value);
    }

    [Fact]
    public void OpenIncidents_SourceThrows_ReportsNothingRatherThanZero()
    {
        using var metrics = NewMetrics();
        using var recorder = new MeasurementRecorder(metrics.Meter);
        metrics.ObserveOpenIncidents(() => throw new InvalidOperationException("store down"));

        Assert.Empty(recorder.Observe("bulwark.incidents.open"));
    }

    [Fact]
    public void DriftScores_RegisteredSource_OneSeriesPerModelAndFeature()
    {
        using var metrics = NewMetrics();
        using var recorder = new MeasurementRecorder(metrics.Meter);
        metrics.ObserveDriftScores(() => [new DriftScore("fraud", "amount", 0.25), new DriftScore("fraud", "country", 0.5)]);

        var observed = recorder.Observe("bulwark.monitoring.drift_score");

        Assert.Equal([("fraud", "amount", 0.25), ("fraud", "country", 0.5)],
            observed.Select(o => ((string)o.Tags["model"]!, (string)o.Tags["feature"]!, o.Value)).OrderBy(o => o.Item2, StringComparer.Ordinal));
    }

    [Fact]
    public void DriftScores_NoSource_ReportsNothing()
    {
        using var metrics = NewMetrics();
        using var recorder = new MeasurementRecorder(metrics.Meter);

        Assert.Empty(recorder.Observe("bulwark.monitoring.drift_score"));
    }

    [Fact]
    public void Counters_CarryOnlyTheirBoundedTag()
    {
        using var metrics = NewMetrics();
        using var recorder = new MeasurementRecorder(metrics.Meter);

        metrics.AuthDenied(DenialReasons.Permission);
        metrics.RateLimitRejected("imports");
        metrics.AuditEventAppended("model.predict", "success");

        Assert.Equal(["reason"], Assert.Single(recorder.Of("bulwark.auth.denials")).Tags.Keys);
        Assert.Equal("imports", Assert.Single(recorder.Of("bulwark.ratelimit.rejections")).Tags["policy"]);
        Assert.Equal(["action", "outcome"], Assert.Single(recorder.Of("bulwark.audit.events")).Tags.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Meter_WithoutFactory_IsPrivateToTheInstance()
    {
        // Two instances (two hosts in one process) must not share instruments, or one host's counts leak into the other's.
        using var first = NewMetrics();
        using var second = NewMetrics();
        using var recorder = new MeasurementRecorder(first.Meter);

        second.AuthDenied(DenialReasons.Permission);

        Assert.Empty(recorder.Of("bulwark.auth.denials"));
    }
}

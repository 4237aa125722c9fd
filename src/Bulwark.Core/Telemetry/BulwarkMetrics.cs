using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Bulwark.Core.Telemetry;

/// <summary>
/// Bulwark's own instruments, on one <see cref="Meter"/> named "Bulwark" (OpenTelemetry names, dotted, with UCUM units).
/// One instance per service provider; features call the one-line methods below at the point where the event happens.
/// </summary>
/// <remarks>
/// Tag values are bounded sets chosen by Bulwark (a reason, a policy name, a problem code, a registered model name):
/// never a principal, a key prefix, a client address or an input value. Those would make every caller its own time
/// series (unbounded memory in the exporter and in Prometheus) and would publish who did what to whoever reads the
/// metrics; the audit ledger is where such detail belongs.
/// </remarks>
internal sealed class BulwarkMetrics : IDisposable
{
    /// <summary>The meter name to subscribe to (OpenTelemetry <c>AddMeter</c>).</summary>
    public const string MeterName = "Bulwark";

    /// <summary>The model tag of a request rejected before a registered model was resolved ('(' never starts a model name).</summary>
    public const string NoModel = "(none)";

    // Predictions take from tens of microseconds (scoring) to tens of milliseconds (the audit write): finer buckets at the
    // low end than OpenTelemetry's defaults, which assume milliseconds and would put every prediction in the first bucket.
    private static readonly double[] PredictionBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _authDenials;
    private readonly Counter<long> _rateLimitRejections;
    private readonly Counter<long> _validationFailures;
    private readonly Counter<long> _predictions;
    private readonly Histogram<double> _predictionDuration;
    private readonly Counter<long> _auditEvents;
    private Func<long> _openIncidents = static () => 0;
    private Func<IEnumerable<DriftScore>> _driftScores = static () => [];

    /// <param name="meterFactory">The host's factory (scopes the meter to this service provider); null creates a private meter.</param>
    /// <param name="time">The clock durations are measured with (a fake one in tests).</param>
    public BulwarkMetrics(IMeterFactory? meterFactory, TimeProvider time)
    {
        Time = time;
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _authDenials = _meter.CreateCounter<long>("bulwark.auth.denials", "{denial}",
            "Requests refused by authentication or authorization, by reason (see DenialReasons).");
        _rateLimitRejections = _meter.CreateCounter<long>("bulwark.ratelimit.rejections", "{request}",
            "Requests refused with 429 by the rate limiter, by policy.");
        _validationFailures = _meter.CreateCounter<long>("bulwark.serving.validation_failures", "{request}",
            "Prediction requests refused because the body did not match the model's signed schema, by problem code.");
        _predictions = _meter.CreateCounter<long>("bulwark.serving.predictions", "{request}",
            "Prediction requests, by project, model and outcome (success, rejected, error).");
        _predictionDuration = _meter.CreateHistogram("bulwark.serving.prediction.duration", "s",
            "Time to serve a prediction request in Core: resolution, validation, scoring and the audit write.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = PredictionBuckets });
        _auditEvents = _meter.CreateCounter<long>("bulwark.audit.events", "{event}", "Events appended to the audit ledger, by action and outcome.");
        _meter.CreateObservableGauge("bulwark.incidents.open", ObserveOpenIncidents, "{incident}", "Security incidents currently open.");
        _meter.CreateObservableGauge("bulwark.monitoring.drift_score", ObserveDriftScores, unit: null, "Latest drift score per production model and feature.");
    }

    /// <summary>The meter every Bulwark instrument belongs to (tests listen to exactly this one).</summary>
    public Meter Meter => _meter;

    internal TimeProvider Time { get; }

    /// <summary>A request refused by authentication or authorization; <paramref name="reason"/> is one of <see cref="DenialReasons"/>.</summary>
    public void AuthDenied(string reason) => _authDenials.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>A request the rate limiter refused; <paramref name="policy"/> is the endpoint's policy name or "global".</summary>
    public void RateLimitRejected(string policy) => _rateLimitRejections.Add(1, new KeyValuePair<string, object?>("policy", policy));

    /// <summary>An event appended to the audit ledger. <paramref name="action"/> and <paramref name="outcome"/> are the entry's constants.</summary>
    public void AuditEventAppended(string action, string outcome) =>
        _auditEvents.Add(1, new KeyValuePair<string, object?>("action", action), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>
    /// Starts measuring one prediction request of <paramref name="projectId"/>: a "predict" span (when traced) and, on
    /// <see cref="PredictionMeasurement.Complete"/>, the prediction counter, duration and validation failures.
    /// </summary>
    public PredictionMeasurement StartPrediction(string projectId) => new(this, projectId, BulwarkTracing.Source.StartActivity("predict"));

    /// <summary>Sets where <c>bulwark.incidents.open</c> reads the number of open incidents (replaces any earlier source).</summary>
    public void ObserveOpenIncidents(Func<long> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Volatile.Write(ref _openIncidents, source);
    }

    /// <summary>Sets where <c>bulwark.monitoring.drift_score</c> reads the latest scores (replaces any earlier source).</summary>
    public void ObserveDriftScores(Func<IEnumerable<DriftScore>> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Volatile.Write(ref _driftScores, source);
    }

    internal void RecordPrediction(string projectId, string model, string outcome, string? validationCode, TimeSpan elapsed)
    {
        var tags = new TagList
        {
            { "project", projectId },
            { "model", model },
            { "outcome", outcome },
        };
        _predictions.Add(1, tags);
        _predictionDuration.Record(elapsed.TotalSeconds, tags);
        if (validationCode is not null)
        {
            _validationFailures.Add(1, new KeyValuePair<string, object?>("code", validationCode));
        }
    }

    // A source that throws must not break the whole scrape: the gauge then reports nothing (unknown), not a made-up 0.
    private IEnumerable<Measurement<long>> ObserveOpenIncidents()
    {
        long open;
        try
        {
            open = Volatile.Read(ref _openIncidents)();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return [];
        }

        return [new Measurement<long>(open)];
    }

    private IEnumerable<Measurement<double>> ObserveDriftScores()
    {
        try
        {
            return [.. Volatile.Read(ref _driftScores)().Select(s => new Measurement<double>(s.Score,
                new KeyValuePair<string, object?>("model", s.Model), new KeyValuePair<string, object?>("feature", s.Feature)))];
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return [];
        }
    }

    public void Dispose()
    {
        // A meter from the factory is disposed with the factory (the service provider).
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}

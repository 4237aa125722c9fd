using System.Diagnostics;

namespace Bulwark.Core.Telemetry;

/// <summary>
/// One prediction request being measured (see <see cref="BulwarkMetrics.StartPrediction"/>). The model tag is set only
/// by <see cref="Resolved"/>, with the registry's name for a model that exists, never the name the caller typed: a key
/// allowed to predict with any model could otherwise create a time series per made-up name.
/// </summary>
internal sealed class PredictionMeasurement : IDisposable
{
    private readonly BulwarkMetrics _metrics;
    private readonly string _projectId;
    private readonly long _started;
    private readonly Activity? _activity;
    private string _model = BulwarkMetrics.NoModel;
    private bool _completed;

    internal PredictionMeasurement(BulwarkMetrics metrics, string projectId, Activity? activity)
    {
        _metrics = metrics;
        _projectId = projectId;
        _activity = activity;
        _started = metrics.Time.GetTimestamp();
        _activity?.SetTag("bulwark.project", projectId);
    }

    /// <summary>The request reached a registered, verified model: from here on it is measured under that model's name.</summary>
    public void Resolved(string modelName, int version)
    {
        _model = modelName;
        _activity?.SetTag("bulwark.model.name", modelName).SetTag("bulwark.model.version", version);
    }

    /// <summary>
    /// Records the outcome: success, rejected (the caller's fault, 4xx) or error (the server's, 5xx). A 4xx after the
    /// model resolved can only come from checking the body against its schema, so it also counts as a validation failure.
    /// </summary>
    public void Complete(Failure? failure)
    {
        var outcome = failure is null ? "success" : failure.Status >= 500 ? "error" : "rejected";
        var validation = failure is { Status: < 500 } && _model != BulwarkMetrics.NoModel ? failure.Code : null;
        Record(outcome, validation, failure?.Code);
    }

    /// <summary>Ends the span; a request that never completed (an exception escaped) is recorded as an error.</summary>
    public void Dispose()
    {
        Record("error", null, "exception");
        _activity?.Dispose();
    }

    private void Record(string outcome, string? validationCode, string? errorType)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        _metrics.RecordPrediction(_projectId, _model, outcome, validationCode, _metrics.Time.GetElapsedTime(_started));
        if (_activity is not null)
        {
            _activity.SetTag("bulwark.prediction.outcome", outcome);
            if (errorType is not null)
            {
                _activity.SetTag("error.type", errorType);
            }

            // OpenTelemetry: a client's mistake does not make the span an error; a server fault does.
            if (outcome == "error")
            {
                _activity.SetStatus(ActivityStatusCode.Error);
            }
        }
    }
}

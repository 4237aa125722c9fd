using System.ComponentModel.DataAnnotations;

namespace Bulwark.Core.Monitoring;

/// <summary>Prediction capture, feedback, scheduled evaluation and retraining. Bound from <c>Bulwark:Monitoring</c>.</summary>
public sealed class MonitoringOptions
{
    public const string Section = "Bulwark:Monitoring";

    /// <summary>Keep served requests (encrypted) so feedback can be joined to them and drift measured. On by default.</summary>
    public bool Capture { get; set; } = true;

    /// <summary>Requests with larger bodies are served but not captured (their prediction id takes no feedback).</summary>
    [Range(256, 4 * 1024 * 1024)]
    public int MaxCapturedBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Captured requests waiting to be written; beyond it captures are dropped (counted), never the prediction. Bounds the
    /// memory a stalled writer can hold: at most this many × <see cref="MaxCapturedBodyBytes"/> (128 MiB by default).
    /// </summary>
    [Range(16, 1_000_000)]
    public int CaptureQueue { get; set; } = 2_000;

    /// <summary>
    /// How long captured requests and feedback are kept by default (then purged, audited); a project may set its own
    /// (<c>PUT /api/v1/projects/{p}/retention</c>).
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan CaptureRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Run the scheduled evaluation at all (on by default; evaluations can also be asked for per model).</summary>
    public bool ScheduledEvaluation { get; set; } = true;

    /// <summary>Cron expression (UTC, five fields) of the scheduled evaluation of every production model.</summary>
    public string EvaluationSchedule { get; set; } = "0 * * * *";

    /// <summary>
    /// The trailing period each evaluation measures drift over. Fixed, not "since the previous evaluation": asking for
    /// evaluations in a loop must not cut the windows too small to ever show drift.
    /// </summary>
    [Range(typeof(TimeSpan), "00:05:00", "90.00:00:00")]
    public TimeSpan EvaluationWindow { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Poisoning guard: a feedback batch of at least this many labels…</summary>
    [Range(2, 1_000_000)]
    public int FeedbackMinBatch { get; set; } = 20;

    /// <summary>…is held for review when one principal contributed more than this share of it.</summary>
    [Range(0.01, 1.0)]
    public double FeedbackMaxShare { get; set; } = 0.5;

    /// <summary>Alert when live accuracy (R² for regression) falls this far below the signed hold-out value.</summary>
    [Range(0.0, 1.0)]
    public double MaxMetricDrop { get; set; } = 0.05;

    /// <summary>
    /// Fewest live values of a feature in a window before its drift is judged: with fewer, PSI alone is about 0.1 by
    /// chance (see <see cref="DriftThresholds"/>).
    /// </summary>
    [Range(20, 1_000_000)]
    public int MinDriftRows { get; set; } = 200;

    /// <summary>
    /// Retraining policy per model: <c>Bulwark:Monitoring:Retraining:&lt;project&gt;/&lt;model&gt;:…</c> for one project's model, or
    /// <c>Retraining:&lt;model&gt;:…</c> for that model name in every project (the fallback).
    /// </summary>
    public Dictionary<string, RetrainingPolicy> Retraining { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The retraining policy of <paramref name="model"/> in <paramref name="projectId"/>: <c>&lt;project&gt;/&lt;model&gt;</c>, else the bare name.</summary>
    public RetrainingPolicy? RetrainingFor(string projectId, string model) =>
        Retraining.TryGetValue(projectId + "/" + model, out var own) ? own : Retraining.GetValueOrDefault(model);
}

/// <summary>When and on what a model is retrained; the candidate runs the promotion gates and goes to staging.</summary>
public sealed class RetrainingPolicy
{
    /// <summary>The training dataset by name (the newest dataset with this name in the model's project is used).</summary>
    public string Dataset { get; set; } = "";

    /// <summary>Retrain at least this often (null: not on a schedule).</summary>
    public TimeSpan? Every { get; set; }

    /// <summary>Retrain when an evaluation finds drift.</summary>
    public bool OnDrift { get; set; } = true;

    /// <summary>Retrain when live metrics drop below the hold-out value by more than <see cref="MonitoringOptions.MaxMetricDrop"/>.</summary>
    public bool OnMetricDrop { get; set; } = true;
}

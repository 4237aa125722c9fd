namespace Bulwark.Core.Monitoring;

/// <summary>A retraining the policy started: its training job, what triggered it, and how far it got.</summary>
internal sealed class RetrainingRun
{
    public Guid Id { get; set; }
    public string ProjectId { get; set; } = "";
    public string ModelName { get; set; } = "";

    /// <summary>"schedule", "drift" or "metric-drop".</summary>
    public string Trigger { get; set; } = "";
    public Guid JobId { get; set; }
    public DateTimeOffset At { get; set; }

    /// <summary>"training", "staged", "gated" (a gate refused staging) or "failed".</summary>
    public string State { get; set; } = RetrainingStates.Training;
    public int? Version { get; set; }
    public string? Detail { get; set; }
}

internal static class RetrainingStates
{
    public const string Training = "training";
    public const string Staged = "staged";
    public const string Gated = "gated";
    public const string Failed = "failed";
}

using System.ComponentModel.DataAnnotations;

namespace Bulwark.Core.Privacy;

/// <summary>Retention floors and the purge schedule. Bound from <c>Bulwark:Privacy</c>.</summary>
public sealed class PrivacyOptions
{
    public const string Section = "Bulwark:Privacy";

    /// <summary>
    /// The shortest capture retention a project may set. Captures are the evidence for drift alerts, extraction and
    /// poisoning investigations and incident timelines (PCI DSS 4.0 10.7, 12.10): a week covers an evaluation window
    /// and the first days of an incident.
    /// </summary>
    [Range(1, 3650)]
    public int MinCaptureRetentionDays { get; set; } = 7;

    /// <summary>
    /// The shortest dataset retention a project may set: a month, so a model's training data can still be checked
    /// (promotion gates, retraining, a disputed decision) while the model is new.
    /// </summary>
    [Range(1, 36500)]
    public int MinDatasetRetentionDays { get; set; } = 30;

    /// <summary>Let projects set retention below the floors above (for test instances); off by default.</summary>
    public bool AllowBelowFloor { get; set; }

    /// <summary>Run the purge on its schedule (daily). Tests switch it off and call <c>RetentionWorker.RunOnceAsync</c>.</summary>
    public bool ScheduledPurge { get; set; } = true;

    /// <summary>How often the purge runs.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromDays(1);
}

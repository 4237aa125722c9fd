namespace Bulwark.Core.Incidents.Detection;

/// <summary>A rule that fires when <see cref="Threshold"/> matching events fall within <see cref="Window"/>.</summary>
public sealed class WindowRuleOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Matching events within <see cref="Window"/> that make the rule fire.</summary>
    public int Threshold { get; set; }

    /// <summary>The sliding window. An event counts for at least this long and at most 1/60 longer (counts are kept in 60 slots).</summary>
    public TimeSpan Window { get; set; }

    /// <summary>After firing for a subject, further hits for it within this time are continuations, not new detections. Zero disables.</summary>
    public TimeSpan Cooldown { get; set; }
}

namespace Bulwark.Core.Incidents.Detection;

/// <summary>A rule that fires on a single event.</summary>
public sealed class EventRuleOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>After firing for a subject, further events for it within this time are continuations. Zero: every event is a new detection.</summary>
    public TimeSpan Cooldown { get; set; }
}

using System.ComponentModel.DataAnnotations;

namespace Bulwark.Core.Incidents;

/// <summary>Incident response settings. Bound from <c>Bulwark:Incidents</c>.</summary>
public sealed class IncidentsOptions
{
    public const string Section = "Bulwark:Incidents";

    /// <summary>Reminders before the GDPR 72-hour deadline (zero = when it passes).</summary>
    public IList<TimeSpan> GdprReminderLeads { get; } = [TimeSpan.FromHours(24), TimeSpan.FromHours(6), TimeSpan.Zero];

    /// <summary>Reminders before the HIPAA 60-day deadline (zero = when it passes).</summary>
    public IList<TimeSpan> HipaaReminderLeads { get; } = [TimeSpan.FromDays(14), TimeSpan.FromDays(3), TimeSpan.Zero];

    /// <summary>How often deadlines are checked.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan DeadlineCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the detection worker reads new audit events.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "30.00:00:00")]
    public TimeSpan DetectionInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often every replica re-reads the containment controls. The replica that applies a control enforces it at once;
    /// this bounds how long the others take.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "30.00:00:00")]
    public TimeSpan ContainmentSyncInterval { get; set; } = TimeSpan.FromSeconds(1);
}

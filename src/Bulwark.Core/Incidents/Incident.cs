namespace Bulwark.Core.Incidents;

/// <summary>A security incident: opened by a detection or by a person, worked through <see cref="IncidentState"/> to closure.</summary>
internal sealed class Incident
{
    public Guid Id { get; set; }

    /// <summary>Human-friendly number, unique per instance (INC-1, INC-2…).</summary>
    public int Number { get; set; }
    public string Title { get; set; } = "";

    /// <summary>The playbook that applies (see <see cref="IncidentPlaybooks"/>): it decides the closing checklist.</summary>
    public string Type { get; set; } = IncidentPlaybooks.Other;

    /// <summary>"low", "medium", "high" or "critical" (see <see cref="IncidentSeverity"/>).</summary>
    public string Severity { get; set; } = IncidentSeverity.Medium;
    public IncidentState State { get; set; }
    public string? Owner { get; set; }
    public string? ProjectId { get; set; }

    /// <summary>The detection rule and subject that opened it; further detections for the same pair update it.</summary>
    public string? RuleId { get; set; }
    public string? Subject { get; set; }

    /// <summary>Personal data is involved: the GDPR Art. 33 72-hour notification clock runs from <see cref="OpenedAt"/>.</summary>
    public bool PersonalData { get; set; }

    /// <summary>Protected health information is involved: HIPAA §164.404 requires notifying individuals within 60 days of discovery.</summary>
    public bool HealthData { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public int DetectionCount { get; set; }

    /// <summary>Completed checklist items as JSON: item → {by, at, evidence}.</summary>
    public string ChecklistJson { get; set; } = "{}";

    /// <summary>Deadline reminders already sent (comma-separated ids), so each is sent once.</summary>
    public string RemindersSent { get; set; } = "";

    /// <summary>Optimistic concurrency: two people moving the same incident at once cannot both win.</summary>
    public int Revision { get; set; }
}

namespace Bulwark.Core.Incidents;

/// <summary>One line of an incident's timeline: what happened, who did it, when, and the evidence.</summary>
internal sealed class IncidentEntry
{
    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }
    public DateTimeOffset At { get; set; }
    public string Actor { get; set; } = "";

    /// <summary>"opened", "detection", "transition", "note", "containment", "checklist", "reminder", "evidence", "owner".</summary>
    public string Kind { get; set; } = "";
    public string Text { get; set; } = "";

    /// <summary>Structured facts as JSON (never secrets or raw personal data).</summary>
    public string DataJson { get; set; } = "{}";
}

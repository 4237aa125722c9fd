using System.Text.Json;

namespace Bulwark.Client.Contracts;

/// <summary>Opens an incident by hand. <paramref name="Type"/> picks the playbook (its closing checklist).</summary>
public sealed record OpenIncidentRequest(string Title, string Severity, string Type, string? Owner = null, string? Project = null,
    bool PersonalData = false, bool HealthData = false);

/// <summary>Changes an incident; null leaves a field unchanged. A note is appended to the timeline.</summary>
public sealed record UpdateIncidentRequest(string? Severity = null, string? Owner = null, bool? PersonalData = null, bool? HealthData = null, string? Note = null);

/// <summary>Moves an incident to its next phase; <paramref name="Evidence"/> says what was done and how it was checked.</summary>
public sealed record IncidentTransitionRequest(string State, string Evidence);

/// <summary>Marks a checklist item done with its evidence.</summary>
public sealed record IncidentChecklistRequest(string Item, string Evidence);

/// <summary>An incident in a list.</summary>
public sealed record IncidentSummary(int Number, string Title, string Type, string Severity, string State, string? Owner, string? Project,
    string? Rule, string? Subject, DateTimeOffset OpenedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ClosedAt, int Detections);

/// <summary>A regulatory deadline of an incident.</summary>
public sealed record IncidentDeadlineInfo(string Id, string Description, DateTimeOffset DueAt, bool Passed);

/// <summary>One checklist item; <paramref name="Done"/> with who did it, when, and the evidence.</summary>
public sealed record IncidentChecklistItem(string Item, bool Done, string? By, DateTimeOffset? At, string? Evidence);

/// <summary>One line of the timeline.</summary>
public sealed record IncidentTimelineEntry(DateTimeOffset At, string Actor, string Kind, string Text, JsonElement Data);

/// <summary>An incident with everything a responder needs.</summary>
public sealed record IncidentInfo(IncidentSummary Incident, bool PersonalData, bool HealthData, IReadOnlyList<IncidentDeadlineInfo> Deadlines,
    IReadOnlyList<IncidentChecklistItem> Checklist, IReadOnlyList<IncidentTimelineEntry> Timeline, IReadOnlyList<long> LinkedEvents);

/// <summary>Turns lockdown or the training/promotion freeze on or off.</summary>
public sealed record ContainmentToggleRequest(bool On, string Reason, int? Incident = null);

/// <summary>Blocks (or unblocks) a client network: an address or CIDR range.</summary>
public sealed record NetworkBlockRequest(string Network, string Reason, int? Incident = null);

/// <summary>Revokes every credential of a principal (<c>user:&lt;id&gt;</c>, <c>key:&lt;prefix&gt;</c> or <c>client:&lt;id&gt;</c>).</summary>
public sealed record RevokePrincipalRequest(string Principal, string Reason, int? Incident = null);

/// <summary>A containment action with its reason and the incident it belongs to.</summary>
public sealed record ContainmentActionRequest(string Reason, int? Incident = null);

/// <summary>Returns a quarantined version to service after a clean verification.</summary>
public sealed record ReinstateRequest(string Evidence, int? Incident = null);

/// <summary>A containment control in force.</summary>
public sealed record ContainmentControlInfo(string Kind, string Value, string Reason, int? Incident, string CreatedBy, DateTimeOffset CreatedAt);

/// <summary>Everything in force now.</summary>
public sealed record ContainmentStatus(bool Lockdown, bool Frozen, IReadOnlyList<string> BlockedNetworks, IReadOnlyList<ContainmentControlInfo> Controls);

/// <summary>Outcome of a containment action.</summary>
public sealed record ContainmentResult(string Action, string Detail, int? Incident);

/// <summary>Outcome of quarantining a model version.</summary>
public sealed record QuarantineResult(string Model, int Version, int? FallbackVersion, string Detail);

/// <summary>Outcome of re-verifying every artifact and the audit chain (eradication).</summary>
public sealed record ReverifyResult(int VersionsChecked, IReadOnlyList<string> Failures, bool AuditChainValid, long? AuditFirstBrokenSequence, string? AuditReason);

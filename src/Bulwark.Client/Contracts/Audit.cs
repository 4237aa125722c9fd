namespace Bulwark.Client.Contracts;

/// <summary>Result of <c>POST /api/v1/audit/verify</c>.</summary>
public sealed record AuditVerifyResult(bool Valid, long EventsVerified, long? FirstBrokenSequence, string? Reason, string? HeadHash);

/// <summary>One audit event as the search API returns it. <paramref name="Details"/> is the event's canonical JSON.</summary>
public sealed record AuditEventInfo(
    long Sequence,
    DateTimeOffset Timestamp,
    int Code,
    string Action,
    string Principal,
    string Resource,
    string Outcome,
    string? Project,
    string? ClientAddress,
    System.Text.Json.JsonElement Details,
    string Hash);

/// <summary>A page of audit events, oldest first; pass <paramref name="Next"/> as <c>after</c> for the following page.</summary>
public sealed record AuditEventPage(IReadOnlyList<AuditEventInfo> Events, long? Next);

namespace Bulwark.Core.Incidents.Evidence;

/// <summary>The outcome of verifying an evidence bundle.</summary>
internal sealed record EvidenceReport(bool Valid, string? Reason, int? Incident, string? SignedBy, long AuditEventsVerified, int AuditCheckpointsVerified)
{
    public static EvidenceReport Fail(string reason) => new(false, reason, null, null, 0, 0);
}

namespace Bulwark.Core.Incidents;

/// <summary>An audit event linked to an incident as evidence; the evidence bundle exports the audit slice that covers them.</summary>
internal sealed class IncidentEvent
{
    public Guid IncidentId { get; set; }
    public long Sequence { get; set; }
}

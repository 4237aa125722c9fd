namespace Bulwark.Core.Incidents;

/// <summary>
/// The NIST SP 800-61 phases an incident moves through, one step at a time: skipping containment or eradication would
/// let an incident be closed while the attacker still has access.
/// </summary>
public enum IncidentState
{
    Identified,
    Contained,
    Eradicated,
    Recovered,
    Closed,
}

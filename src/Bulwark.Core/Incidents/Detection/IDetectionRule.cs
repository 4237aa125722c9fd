using Bulwark.Core.Audit;

namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// One detection rule. Rules are deterministic: the same events in the same order give the same detections. They keep
/// their own bounded in-memory state and read time only from the events.
/// </summary>
internal interface IDetectionRule
{
    /// <summary>The stable id from <see cref="DetectionRuleIds"/>.</summary>
    string Id { get; }

    /// <summary>How many subjects (accounts, addresses, principals) the rule holds state for; never above the configured cap.</summary>
    int TrackedSubjects { get; }

    /// <summary>Feeds the next event of the ledger (in sequence order) and returns what it makes the rule conclude.</summary>
    IEnumerable<SecurityDetection> Observe(AuditEvent e);
}

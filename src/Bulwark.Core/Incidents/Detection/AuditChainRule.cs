using Bulwark.Core.Audit;

namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// <c>integrity.audit-chain</c>: a verification of the hash-chained ledger failed, so a row was edited, deleted or
/// reordered outside Bulwark (NIST SP 800-53 AU-9, protection of audit information). Always critical.
/// </summary>
internal sealed class AuditChainRule(EventRuleOptions rule, DetectionOptions options) : IDetectionRule
{
    private const string Subject = "audit";

    private readonly CooldownGate cooldowns = new(rule.Cooldown, options.MaxTrackedSubjects);

    public string Id => DetectionRuleIds.AuditChain;

    public int TrackedSubjects => cooldowns.Count;

    public IEnumerable<SecurityDetection> Observe(AuditEvent e)
    {
        if (e.Code != AuditCodes.AuditVerified || e.Outcome != "failure")
        {
            return [];
        }

        var facts = new Dictionary<string, string>(StringComparer.Ordinal) { ["verifiedBy"] = e.Principal };
        var broken = EventDetails.Text(e, "firstBrokenSequence");
        if (broken is not null)
        {
            facts["firstBrokenSequence"] = broken;
        }

        if (EventDetails.Text(e, "eventsVerified") is { } verified)
        {
            facts["eventsVerified"] = verified;
        }

        return
        [
            new SecurityDetection(Id, DetectionSeverity.Critical, Subject, "Audit ledger chain broken",
                "Verification of the audit ledger failed" + (broken is null ? "." : $" at sequence {broken}.") + " Rows were changed outside Bulwark.",
                e.ProjectId, e.Timestamp, [e.Sequence], facts, cooldowns.Enter(Subject, e.Timestamp)),
        ];
    }
}

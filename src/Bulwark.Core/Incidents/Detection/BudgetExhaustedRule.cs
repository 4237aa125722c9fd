using Bulwark.Core.Audit;

namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// <c>serving.budget-exhausted</c>: the serving layer refused a caller whose query budget for a model ran out. The
/// budget has done its job; someone should still ask why a caller needed that many predictions (model extraction,
/// MITRE ATLAS AML.T0024.002, or a runaway client).
/// </summary>
internal sealed class BudgetExhaustedRule(EventRuleOptions rule, DetectionOptions options) : IDetectionRule
{
    private readonly CooldownGate cooldowns = new(rule.Cooldown, options.MaxTrackedSubjects);

    public string Id => DetectionRuleIds.BudgetExhausted;

    public int TrackedSubjects => cooldowns.Count;

    public IEnumerable<SecurityDetection> Observe(AuditEvent e)
    {
        if (e.Code != DetectionCodes.QueryBudgetExhausted)
        {
            return [];
        }

        var facts = new Dictionary<string, string>(StringComparer.Ordinal) { ["principal"] = e.Principal, ["model"] = e.Resource };
        if (ClientNetwork.TryParse(e.ClientAddress, out var address))
        {
            facts["address"] = address.ToString();
        }

        return
        [
            new SecurityDetection(Id, DetectionSeverity.High, e.Principal, $"Query budget exhausted by {e.Principal}",
                $"{e.Principal} used up its query budget on {e.Resource}; further predictions are refused until the budget renews.",
                e.ProjectId, e.Timestamp, [e.Sequence], facts, cooldowns.Enter(e.Principal, e.Timestamp)),
        ];
    }
}

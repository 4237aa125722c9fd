using Bulwark.Core.Audit;

namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// <c>integrity.model</c>: a model version failed its signature, digest or stage-tag check. Loading was refused, but an
/// artifact or a database row was changed outside Bulwark: always critical (DESIGN.md invariant 6).
/// </summary>
internal sealed class ModelIntegrityRule(EventRuleOptions rule, DetectionOptions options) : IDetectionRule
{
    private readonly CooldownGate cooldowns = new(rule.Cooldown, options.MaxTrackedSubjects);

    public string Id => DetectionRuleIds.ModelIntegrity;

    public int TrackedSubjects => cooldowns.Count;

    public IEnumerable<SecurityDetection> Observe(AuditEvent e)
    {
        if (e.Code != AuditCodes.ModelIntegrityFailure)
        {
            return [];
        }

        var facts = new Dictionary<string, string>(StringComparer.Ordinal) { ["model"] = e.Resource, ["action"] = e.Action };
        var code = EventDetails.Text(e, "code");
        if (code is not null)
        {
            facts["code"] = code;
        }

        if (EventDetails.Text(e, "versionId") is { } versionId)
        {
            facts["versionId"] = versionId;
        }

        return
        [
            new SecurityDetection(Id, DetectionSeverity.Critical, e.Resource, $"Integrity failure of {e.Resource}",
                $"{e.Resource} failed its integrity check during {e.Action}" + (code is null ? "." : $" ({code}).") + " The version was refused.",
                e.ProjectId, e.Timestamp, [e.Sequence], facts, cooldowns.Enter(e.Resource, e.Timestamp)),
        ];
    }
}

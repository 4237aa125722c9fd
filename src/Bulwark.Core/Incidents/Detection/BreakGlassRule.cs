using Bulwark.Core.Audit;

namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// <c>access.break-glass</c>: every start of emergency access is high severity and opens (or joins) an incident with an
/// alert, so a security officer reviews it while it is still running (HIPAA §164.312(a)(2)(ii) and (b): emergency access
/// is allowed, and must be reviewed).
/// </summary>
internal sealed class BreakGlassRule(EventRuleOptions rule, DetectionOptions options) : IDetectionRule
{
    private readonly CooldownGate cooldowns = new(rule.Cooldown, options.MaxTrackedSubjects);

    public string Id => DetectionRuleIds.BreakGlass;

    public int TrackedSubjects => cooldowns.Count;

    public IEnumerable<SecurityDetection> Observe(AuditEvent e)
    {
        if (e.Code != AuditCodes.BreakGlassStarted || e.Outcome != "success")
        {
            return [];
        }

        var login = EventDetails.Text(e, "login") ?? e.Principal;
        var facts = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["principal"] = e.Principal,
            ["login"] = login,
            ["session"] = e.Resource,
            ["project"] = e.ProjectId ?? "-",
        };
        foreach (var name in (string[])["permissions", "expiresAt", "minutes"])
        {
            if (EventDetails.Text(e, name) is { } value)
            {
                facts[name] = value;
            }
        }

        var title = $"Break-glass access by {login} in project {e.ProjectId ?? "-"}";
        return
        [
            new SecurityDetection(Id, DetectionSeverity.High, e.Principal, title,
                $"{title}: emergency permissions ({facts.GetValueOrDefault("permissions", "?")}) until {facts.GetValueOrDefault("expiresAt", "?")}. Review the reason in the audit event and the requests made under the session.",
                e.ProjectId, e.Timestamp, [e.Sequence], facts, cooldowns.Enter(e.Principal, e.Timestamp)),
        ];
    }
}

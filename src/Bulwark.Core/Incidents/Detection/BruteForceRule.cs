using Bulwark.Core.Audit;

namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// <c>auth.brute-force</c>: password guessing against one account (OWASP Authentication Cheat Sheet, "Protect against
/// automated attacks"). Sign-in backs off and locks by itself; this rule tells a person that someone is trying.
/// Unknown logins ("user/?") name no account and are left to <see cref="CredentialStuffingRule"/>.
/// </summary>
internal sealed class BruteForceRule(WindowRuleOptions rule, DetectionOptions options) : IDetectionRule
{
    private readonly ThresholdTracker tracker = new(rule, options);

    public string Id => DetectionRuleIds.BruteForce;

    public int TrackedSubjects => tracker.TrackedSubjects;

    public IEnumerable<SecurityDetection> Observe(AuditEvent e)
    {
        if (e.Code != AuditCodes.LoginFailed || !e.Resource.StartsWith("user/", StringComparison.Ordinal) || e.Resource == "user/?")
        {
            return [];
        }

        if (tracker.Record(e.Resource, e.Resource, e.Timestamp, e.Sequence) is not { } hit)
        {
            return [];
        }

        var login = e.Resource["user/".Length..];
        var window = DetectionText.Duration(rule.Window);
        var facts = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["account"] = e.Resource,
            ["failures"] = DetectionText.Number(hit.Count),
            ["threshold"] = DetectionText.Number(rule.Threshold),
            ["window"] = window,
        };
        if (ClientNetwork.TryParse(e.ClientAddress, out var address))
        {
            facts["lastAddress"] = address.ToString();
        }

        return
        [
            new SecurityDetection(Id, DetectionSeverity.Medium, e.Resource, $"Password guessing against {login}",
                $"{DetectionText.Number(hit.Count)} failed sign-ins for '{login}' within {window} (threshold {DetectionText.Number(rule.Threshold)}).",
                e.ProjectId, e.Timestamp, hit.Evidence, facts, hit.IsContinuation),
        ];
    }
}

using Bulwark.Core.Access;
using Bulwark.Core.Audit;
using Bulwark.Core.Identity;
using Bulwark.Core.Projects;

namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// <c>access.privilege-change</c>: every change to who may do what, as an informational detection about the actor
/// (NIST SP 800-53 AC-2(4), automated audit of account actions). Granting admin or security-officer, or an API key with
/// the admin scope, is high: it is what an attacker does first with a stolen administrator session.
/// </summary>
internal sealed class PrivilegeChangeRule(EventRuleOptions rule, DetectionOptions options) : IDetectionRule
{
    private static readonly HashSet<string> ControlPermissions = new(StringComparer.Ordinal)
    {
        Permissions.Admin, Permissions.UsersManage, Permissions.KeysManage, Permissions.PoliciesManage, Permissions.ProjectsManage,
    };

    private readonly CooldownGate cooldowns = new(rule.Cooldown, options.MaxTrackedSubjects);

    public string Id => DetectionRuleIds.PrivilegeChange;

    public int TrackedSubjects => cooldowns.Count;

    public IEnumerable<SecurityDetection> Observe(AuditEvent e)
    {
        if (e.Outcome != "success" || Classify(e) is not { } change)
        {
            return [];
        }

        var facts = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["actor"] = e.Principal,
            ["action"] = e.Action,
            ["target"] = e.Resource,
        };
        foreach (var name in (string[])["role", "project", "permissions", "scopes", "version"])
        {
            if (EventDetails.Text(e, name) is { } value)
            {
                facts[name] = value;
            }
        }

        return
        [
            new SecurityDetection(Id, change.Severity, e.Principal, change.Title, $"{change.Title}, by {e.Principal} ({e.Action} on {e.Resource}).",
                e.ProjectId, e.Timestamp, [e.Sequence], facts, cooldowns.Enter(e.Principal, e.Timestamp)),
        ];
    }

    private static (string Severity, string Title)? Classify(AuditEvent e)
    {
        switch (e.Code)
        {
            case AuditCodes.MembershipGranted:
                var role = EventDetails.Text(e, "role") ?? "?";
                var severity = role is BuiltInRoles.Admin or BuiltInRoles.SecurityOfficer ? DetectionSeverity.High
                    : EventDetails.Text(e, "project") == ProjectIds.AllProjects ? DetectionSeverity.Medium
                    : DetectionSeverity.Low;
                return (severity, $"Role {role} granted to {e.Resource}");
            case AuditCodes.MembershipRevoked:
                return (DetectionSeverity.Low, $"Role {EventDetails.Text(e, "role") ?? "?"} revoked from {e.Resource}");
            case AuditCodes.RoleDefined:
                var permissions = (EventDetails.Text(e, "permissions") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return (permissions.Any(ControlPermissions.Contains) ? DetectionSeverity.Medium : DetectionSeverity.Low, $"Custom role {e.Resource} defined");
            case AuditCodes.PolicyChanged:
                return (DetectionSeverity.Medium, "Access policy changed");
            case AuditCodes.SigningKeyRotated:
                return (DetectionSeverity.Low, "Token signing key rotated");
            case AuditCodes.MfaReset:
                return (DetectionSeverity.Medium, $"Second factor reset for {e.Resource}");
            case AuditCodes.UserCreated:
                return (DetectionSeverity.Low, $"User {e.Resource} created");
            case AuditCodes.ApiKeyCreated:
                var scopes = (EventDetails.Text(e, "scopes") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return (scopes.Contains(Permissions.Admin) ? DetectionSeverity.High : DetectionSeverity.Low, $"Credential {e.Resource} issued");
            default:
                return null;
        }
    }
}

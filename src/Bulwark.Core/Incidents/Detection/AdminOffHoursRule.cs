using Bulwark.Core.Audit;

namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// <c>access.admin-off-hours</c>: a state-changing administrative action outside the hours or networks administrators
/// work from (NIST SP 800-53 AC-2(11), usage conditions; AC-2(12), monitoring for atypical usage). A stolen session is
/// often used when its owner is asleep, and from somewhere else.
/// </summary>
internal sealed class AdminOffHoursRule(EventRuleOptions rule, DetectionOptions options, AdminSchedule schedule) : IDetectionRule
{
    /// <summary>Identity-block codes that change users, credentials, memberships, roles, policies, keys or projects.</summary>
    public static readonly IReadOnlySet<int> AdministrativeCodes = new HashSet<int>
    {
        AuditCodes.ApiKeyCreated, AuditCodes.ApiKeyRevoked,
        AuditCodes.UserCreated, AuditCodes.UserDisabled, AuditCodes.UserEnabled, AuditCodes.UserDeleted,
        AuditCodes.PrincipalRevoked, AuditCodes.MfaReset, AuditCodes.MfaEnrolmentCodeIssued,
        AuditCodes.ProjectCreated, AuditCodes.MembershipGranted, AuditCodes.MembershipRevoked, AuditCodes.RoleDefined,
        AuditCodes.PolicyChanged, AuditCodes.SigningKeyRotated,
    };

    private readonly CooldownGate cooldowns = new(rule.Cooldown, options.MaxTrackedSubjects);

    public string Id => DetectionRuleIds.AdminOffHours;

    public int TrackedSubjects => cooldowns.Count;

    public IEnumerable<SecurityDetection> Observe(AuditEvent e)
    {
        // "system" acts for bulwark init and automatic responses: there is no person whose hours could be unusual.
        if (e.Outcome != "success" || !AdministrativeCodes.Contains(e.Code) || e.Principal is "system" or "anonymous")
        {
            return [];
        }

        var offHours = !schedule.IsWithinHours(e.Timestamp);
        var offNetwork = !schedule.IsFromAdminNetwork(e.ClientAddress);
        if (!offHours && !offNetwork)
        {
            return [];
        }

        var reason = offHours && offNetwork ? "hours and network" : offHours ? "hours" : "network";
        var facts = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["actor"] = e.Principal,
            ["action"] = e.Action,
            ["target"] = e.Resource,
            ["localTime"] = schedule.LocalTime(e.Timestamp),
            ["outside"] = reason,
        };
        if (ClientNetwork.TryParse(e.ClientAddress, out var address))
        {
            facts["address"] = address.ToString();
        }

        return
        [
            new SecurityDetection(Id, DetectionSeverity.High, e.Principal, $"Administrative action outside expected {reason}",
                $"{e.Principal} performed {e.Action} on {e.Resource} at {facts["localTime"]}" + (address is null ? "" : $" from {address}") + $", outside the expected {reason}.",
                e.ProjectId, e.Timestamp, [e.Sequence], facts, cooldowns.Enter(e.Principal, e.Timestamp)),
        ];
    }
}

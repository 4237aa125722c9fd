using System.Net.Sockets;
using Bulwark.Core.Audit;

namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// <c>auth.credential-stuffing</c>: one client address failing sign-in or credential checks against many accounts, or
/// very often (OWASP Credential Stuffing Prevention Cheat Sheet). Per-account lockout does not see an attacker who tries
/// each account once; this rule looks at the address instead.
/// </summary>
internal sealed class CredentialStuffingRule : IDetectionRule
{
    private readonly CredentialStuffingOptions rule;
    private readonly WindowSlots slots;
    private readonly int maxEvidence;
    private readonly SubjectTable<AddressFailures> addresses;
    private readonly CooldownGate cooldowns;

    public CredentialStuffingRule(CredentialStuffingOptions rule, DetectionOptions options)
    {
        this.rule = rule;
        slots = new WindowSlots(rule.Window);
        maxEvidence = options.MaxEvidence;
        addresses = new SubjectTable<AddressFailures>(options.MaxTrackedSubjects);
        cooldowns = new CooldownGate(rule.Cooldown, options.MaxTrackedSubjects);
    }

    public string Id => DetectionRuleIds.CredentialStuffing;

    public int TrackedSubjects => addresses.Count;

    public IEnumerable<SecurityDetection> Observe(AuditEvent e)
    {
        if (e.Code is not (AuditCodes.LoginFailed or AuditCodes.AuthenticationFailed) || !ClientNetwork.TryParse(e.ClientAddress, out var address))
        {
            return [];
        }

        // An IPv6 end site gets a whole /64 (RFC 6177): rotating addresses inside it must not reset the count.
        var source = address.AddressFamily == AddressFamily.InterNetworkV6 ? ClientNetwork.NetworkOf(address, 32, 64) : address.ToString();
        var subject = "address/" + source;
        var failures = addresses.GetOrAdd(subject, () => new AddressFailures(slots, maxEvidence));
        failures.Add(e.Timestamp, e.Sequence, AccountOf(e.Resource));
        var byCount = failures.Failures.Count >= rule.FailureThreshold;
        var byAccounts = failures.DistinctAccounts >= rule.AccountThreshold;
        if (!byCount && !byAccounts)
        {
            return [];
        }

        addresses.Remove(subject);
        var window = DetectionText.Duration(rule.Window);
        var facts = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["source"] = source,
            ["lastAddress"] = address.ToString(),
            ["failures"] = DetectionText.Number(failures.Failures.Count),
            ["distinctAccounts"] = DetectionText.Number(failures.DistinctAccounts),
            ["unknownLogins"] = DetectionText.Number(failures.UnknownAccounts),
            ["accounts"] = DetectionText.List(failures.NamedAccounts, 10),
            ["trigger"] = byAccounts ? "accounts" : "failures",
            ["window"] = window,
        };
        return
        [
            new SecurityDetection(Id, DetectionSeverity.High, subject, $"Credential stuffing from {source}",
                $"{DetectionText.Number(failures.Failures.Count)} authentication failures against {DetectionText.Number(failures.DistinctAccounts)} accounts from {source} within {window}.",
                e.ProjectId, e.Timestamp, failures.Failures.Evidence(), facts, cooldowns.Enter(subject, e.Timestamp)),
        ];
    }

    /// <summary>
    /// The account or credential a failure was against. "user/?" is an unknown login (null: each one distinct); a bare
    /// "key", "token" or "client" is a malformed credential, one bucket per kind, so a misconfigured client retrying
    /// counts towards the failure threshold and not as many accounts.
    /// </summary>
    private static string? AccountOf(string resource) => resource == "user/?" ? null : resource;
}

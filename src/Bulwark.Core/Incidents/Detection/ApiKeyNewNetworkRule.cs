using Bulwark.Core.Audit;

namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// <c>apikey.new-network</c>: a machine credential (API key "key:…", OAuth client "client:…") succeeding from a network
/// it has never been seen from, once its baseline is learnt. Machine credentials run from a few fixed places; a new one
/// is what a leaked key looks like (OWASP API Security Top 10 2023, API2 Broken Authentication). Fires once per new
/// network: after the detection the network is part of the baseline.
/// </summary>
internal sealed class ApiKeyNewNetworkRule : IDetectionRule
{
    private readonly NewNetworkOptions rule;
    private readonly SubjectTable<CredentialNetworks> credentials;
    private readonly CooldownGate cooldowns;

    public ApiKeyNewNetworkRule(NewNetworkOptions rule, DetectionOptions options)
    {
        this.rule = rule;
        credentials = new SubjectTable<CredentialNetworks>(options.MaxTrackedSubjects);
        cooldowns = new CooldownGate(rule.Cooldown, options.MaxTrackedSubjects);
    }

    public string Id => DetectionRuleIds.ApiKeyNewNetwork;

    public int TrackedSubjects => credentials.Count;

    public IEnumerable<SecurityDetection> Observe(AuditEvent e)
    {
        if (e.Outcome != "success" || !IsMachineCredential(e.Principal) || !ClientNetwork.TryParse(e.ClientAddress, out var address))
        {
            return [];
        }

        var state = credentials.GetOrAdd(e.Principal, () => new CredentialNetworks(e.Timestamp, rule.MaxNetworksPerPrincipal));
        state.Events++;
        var network = ClientNetwork.NetworkOf(address, rule.Ipv4PrefixLength, rule.Ipv6PrefixLength);
        var learning = state.Events <= rule.LearningEvents || e.Timestamp - state.FirstSeen < rule.LearningPeriod;
        var known = state.Networks.TryGet(network, out _);
        state.Networks.Set(network, true);
        if (known || learning)
        {
            return [];
        }

        var facts = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["principal"] = e.Principal,
            ["network"] = network,
            ["address"] = address.ToString(),
            ["action"] = e.Action,
            ["resource"] = e.Resource,
            ["knownNetworks"] = DetectionText.Number(state.Networks.Count - 1),
        };
        return
        [
            new SecurityDetection(Id, DetectionSeverity.Medium, e.Principal, $"{e.Principal} used from a new network",
                $"{e.Principal} succeeded ({e.Action}) from {address} in {network}, a network it was not seen from before.",
                e.ProjectId, e.Timestamp, [e.Sequence], facts, cooldowns.Enter(e.Principal, e.Timestamp)),
        ];
    }

    private static bool IsMachineCredential(string principal) =>
        principal.StartsWith("key:", StringComparison.Ordinal) || principal.StartsWith("client:", StringComparison.Ordinal);
}

using Bulwark.Core.Audit;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// Runs every enabled rule over the audit stream. Feed it each ledger event once, in sequence order; an event whose
/// sequence is not above the last one seen is ignored, so a reader that re-reads an overlapping page does not count
/// events twice. Time comes only from the events, so replaying a ledger gives the same detections.
/// </summary>
/// <remarks>
/// State lives in memory and is bounded per rule (<see cref="DetectionOptions.MaxTrackedSubjects"/>). After a restart
/// the reader should replay recent history (at least the longest window, and the API-key learning period) before
/// treating detections as new.
/// </remarks>
internal sealed class DetectionEngine
{
    private readonly Lock gate = new();
    private long lastSequence = long.MinValue;

    public DetectionEngine(IOptions<DetectionOptions> options)
        : this(CreateRules(options.Value))
    {
    }

    internal DetectionEngine(IEnumerable<IDetectionRule> rules) => Rules = rules.ToList();

    public IReadOnlyList<IDetectionRule> Rules { get; }

    public IReadOnlyList<SecurityDetection> Observe(AuditEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        lock (gate)
        {
            if (e.Sequence <= lastSequence)
            {
                return [];
            }

            lastSequence = e.Sequence;
            List<SecurityDetection>? detections = null;
            foreach (var rule in Rules)
            {
                foreach (var detection in rule.Observe(e))
                {
                    (detections ??= []).Add(detection);
                }
            }

            return detections ?? (IReadOnlyList<SecurityDetection>)[];
        }
    }

    /// <summary>The enabled rules for <paramref name="options"/>, which must have passed <see cref="DetectionOptionsValidator"/>.</summary>
    internal static List<IDetectionRule> CreateRules(DetectionOptions options)
    {
        var errors = new List<string>();
        var schedule = AdminSchedule.Parse(options, errors)
            ?? throw new OptionsValidationException(DetectionOptions.Section, typeof(DetectionOptions), errors);
        var rules = new List<IDetectionRule>();
        Add(options.BruteForce.Enabled, () => new BruteForceRule(options.BruteForce, options));
        Add(options.CredentialStuffing.Enabled, () => new CredentialStuffingRule(options.CredentialStuffing, options));
        Add(options.ApiKeyNewNetwork.Enabled, () => new ApiKeyNewNetworkRule(options.ApiKeyNewNetwork, options));
        Add(options.Probing.Enabled, () => new ProbingRule(options.Probing, options));
        Add(options.MassQuery.Enabled, () => new MassQueryRule(options.MassQuery, options));
        Add(options.BudgetExhausted.Enabled, () => new BudgetExhaustedRule(options.BudgetExhausted, options));
        Add(options.ModelIntegrity.Enabled, () => new ModelIntegrityRule(options.ModelIntegrity, options));
        Add(options.AuditChain.Enabled, () => new AuditChainRule(options.AuditChain, options));
        Add(options.PrivilegeChange.Enabled, () => new PrivilegeChangeRule(options.PrivilegeChange, options));
        Add(options.AdminOffHours.Enabled, () => new AdminOffHoursRule(options.AdminOffHours, options, schedule));
        Add(options.BreakGlass.Enabled, () => new BreakGlassRule(options.BreakGlass, options));
        return rules;

        void Add(bool enabled, Func<IDetectionRule> create)
        {
            if (enabled)
            {
                rules.Add(create());
            }
        }
    }
}

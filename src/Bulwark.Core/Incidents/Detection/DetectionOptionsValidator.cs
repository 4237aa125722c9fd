using Microsoft.Extensions.Options;

namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// Fails startup on detection settings that would silently disable or flood detection (a zero window never fires, a
/// threshold of 0 fires on everything, a malformed admin network would match nothing): DESIGN.md invariant 10.
/// </summary>
internal sealed class DetectionOptionsValidator : IValidateOptions<DetectionOptions>
{
    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(1);
    private static readonly TimeSpan MaxCooldown = TimeSpan.FromDays(7);

    public ValidateOptionsResult Validate(string? name, DetectionOptions options)
    {
        var errors = new List<string>();
        Range(errors, "MaxTrackedSubjects", options.MaxTrackedSubjects, 100, 1_000_000);
        Range(errors, "MaxEvidence", options.MaxEvidence, 1, 1000);

        Window(errors, "BruteForce", options.BruteForce, maxThreshold: 10_000);
        Window(errors, "Probing", options.Probing, maxThreshold: 100_000);
        Window(errors, "MassQuery", options.MassQuery, maxThreshold: 100_000_000);

        var stuffing = options.CredentialStuffing;
        Range(errors, "CredentialStuffing:FailureThreshold", stuffing.FailureThreshold, 2, 100_000);
        Range(errors, "CredentialStuffing:AccountThreshold", stuffing.AccountThreshold, 2, 1000);
        Duration(errors, "CredentialStuffing:Window", stuffing.Window, MaxWindow, allowZero: false);
        Duration(errors, "CredentialStuffing:Cooldown", stuffing.Cooldown, MaxCooldown, allowZero: true);

        var network = options.ApiKeyNewNetwork;
        Range(errors, "ApiKeyNewNetwork:LearningEvents", network.LearningEvents, 1, 1_000_000);
        Duration(errors, "ApiKeyNewNetwork:LearningPeriod", network.LearningPeriod, TimeSpan.FromDays(90), allowZero: true);
        Range(errors, "ApiKeyNewNetwork:Ipv4PrefixLength", network.Ipv4PrefixLength, 8, 32);
        Range(errors, "ApiKeyNewNetwork:Ipv6PrefixLength", network.Ipv6PrefixLength, 16, 128);
        Range(errors, "ApiKeyNewNetwork:MaxNetworksPerPrincipal", network.MaxNetworksPerPrincipal, 1, 10_000);
        Duration(errors, "ApiKeyNewNetwork:Cooldown", network.Cooldown, MaxCooldown, allowZero: true);

        foreach (var (key, rule) in (ReadOnlySpan<(string, EventRuleOptions)>)[
            ("BudgetExhausted", options.BudgetExhausted), ("ModelIntegrity", options.ModelIntegrity), ("AuditChain", options.AuditChain),
            ("PrivilegeChange", options.PrivilegeChange), ("AdminOffHours", options.AdminOffHours),
            ("BreakGlass", options.BreakGlass)])
        {
            Duration(errors, key + ":Cooldown", rule.Cooldown, MaxCooldown, allowZero: true);
        }

        AdminSchedule.Parse(options, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Window(List<string> errors, string key, WindowRuleOptions rule, int maxThreshold)
    {
        Range(errors, key + ":Threshold", rule.Threshold, 2, maxThreshold);
        Duration(errors, key + ":Window", rule.Window, MaxWindow, allowZero: false);
        Duration(errors, key + ":Cooldown", rule.Cooldown, MaxCooldown, allowZero: true);
    }

    private static void Range(List<string> errors, string key, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{DetectionOptions.Section}:{key} is {DetectionText.Number(value)}; it must be between {DetectionText.Number(min)} and {DetectionText.Number(max)}.");
        }
    }

    private static void Duration(List<string> errors, string key, TimeSpan value, TimeSpan max, bool allowZero)
    {
        if (value < TimeSpan.Zero || (!allowZero && value == TimeSpan.Zero) || value > max)
        {
            errors.Add($"{DetectionOptions.Section}:{key} is {value:c}; it must be {(allowZero ? "at least 00:00:00" : "more than 00:00:00")} and at most {max:c}.");
        }
    }
}

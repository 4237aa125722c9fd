namespace Bulwark.Core.Access;

/// <summary>
/// Runs a <see cref="PolicyTestFile"/> against a policy set with the real <see cref="PolicyEngine"/>, so that a policy
/// change can be checked before it is activated ("bulwark policy test").
/// </summary>
internal static class PolicyTestRunner
{
    /// <summary>Runs every case against <paramref name="policies"/> (the file's inline policies are ignored).</summary>
    public static IReadOnlyList<PolicyTestResult> Run(PolicyTestFile file, PolicySet policies, RoleCatalog roles) =>
        file.Tests.Select(test => Run(test, policies, roles)).ToList();

    /// <summary>Runs every case against the file's inline policies (none: RBAC alone).</summary>
    public static IReadOnlyList<PolicyTestResult> Run(PolicyTestFile file, RoleCatalog roles) =>
        Run(file, file.Policies ?? PolicySet.Empty, roles);

    public static PolicyTestResult Run(PolicyTestCase test, PolicySet policies, RoleCatalog roles)
    {
        var rbac = test.Rbac ?? roles.Permits(test.Request.Principal.Strings("roles"), test.Request.Action);
        var decision = PolicyEngine.Evaluate(test.Request, rbac, policies);
        string? failure = null;
        if (decision.Allowed != test.ExpectAllow)
        {
            failure = $"expected {(test.ExpectAllow ? "allow" : "deny")}, got {(decision.Allowed ? "allow" : "deny")} ({decision.Reason}"
                + (decision.DeterminingPolicies.Count > 0 ? ": " + string.Join(", ", decision.DeterminingPolicies) : "")
                + (decision.ErrorMessages.Count > 0 ? "; " + string.Join("; ", decision.ErrorMessages) : "")
                + ")";
        }
        else if (test.ExpectedPolicies is not null && !test.ExpectedPolicies.SequenceEqual(decision.DeterminingPolicies, StringComparer.Ordinal))
        {
            failure = $"expected determining policies [{string.Join(", ", test.ExpectedPolicies)}], got [{string.Join(", ", decision.DeterminingPolicies)}]";
        }

        return new PolicyTestResult(test.Name, failure is null, decision, rbac, failure);
    }
}

namespace Bulwark.Core.Access;

/// <summary>
/// Combines role-based and attribute-based decisions, following Cedar's semantics: deny by default, any matching
/// forbid wins over every permit, and the result does not depend on the order of the policies. One deliberate
/// difference: Cedar skips a policy whose condition errors; we deny the whole request (fail closed, OWASP ASVS 4.0
/// V4.1.5), because a forbid that errors on a missing attribute must not quietly stop protecting anything.
/// </summary>
internal static class PolicyEngine
{
    /// <param name="rbacPermits">Whether the principal's roles grant the action (<see cref="RoleCatalog.Permits"/>).</param>
    public static PolicyDecision Evaluate(AccessRequest request, bool rbacPermits, PolicySet policies)
    {
        List<string>? permits = null, forbids = null, errors = null, messages = null;
        foreach (var policy in policies.Policies)
        {
            if (!policy.Applies(request))
            {
                continue;
            }

            var result = policy.EvaluateConditions(request);
            if (result.IsError)
            {
                (errors ??= []).Add(policy.Id);
                (messages ??= []).Add($"{policy.Id}: {result.ErrorMessage}");
            }
            else if (result.AsBool)
            {
                if (policy.Effect == PolicyEffect.Forbid)
                {
                    (forbids ??= []).Add(policy.Id);
                }
                else
                {
                    (permits ??= []).Add(policy.Id);
                }
            }
        }

        IReadOnlyList<string> errorIds = Sorted(errors), errorMessages = Sorted(messages);
        if (errors is not null)
        {
            return new PolicyDecision(false, PolicyDecisionReason.PolicyError, errorIds, errorIds, errorMessages);
        }

        if (forbids is not null)
        {
            return new PolicyDecision(false, PolicyDecisionReason.ForbidPolicy, Sorted(forbids), [], []);
        }

        if (rbacPermits)
        {
            return new PolicyDecision(true, PolicyDecisionReason.Rbac, [], [], []);
        }

        return permits is not null
            ? new PolicyDecision(true, PolicyDecisionReason.PermitPolicy, Sorted(permits), [], [])
            : new PolicyDecision(false, PolicyDecisionReason.NoPermit, [], [], []);
    }

    private static List<string> Sorted(List<string>? values)
    {
        if (values is null)
        {
            return [];
        }

        values.Sort(StringComparer.Ordinal);
        return values;
    }
}

namespace Bulwark.Core.Access;

/// <summary>
/// The outcome of <see cref="PolicyEngine.Evaluate"/>, recorded in the audit trail. <see cref="Reason"/> is one of
/// <see cref="PolicyDecisionReason"/>; <see cref="DeterminingPolicies"/> names the policies that decided (sorted, so the same
/// request always yields the same decision text); <see cref="Errors"/> lists the ids of applicable policies that
/// could not be evaluated, and <see cref="ErrorMessages"/> why ("id: at character N: …").
/// </summary>
internal sealed record PolicyDecision(
    bool Allowed,
    string Reason,
    IReadOnlyList<string> DeterminingPolicies,
    IReadOnlyList<string> Errors,
    IReadOnlyList<string> ErrorMessages);

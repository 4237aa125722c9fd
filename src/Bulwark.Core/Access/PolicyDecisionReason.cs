namespace Bulwark.Core.Access;

/// <summary>The stable <see cref="PolicyDecision.Reason"/> codes.</summary>
internal static class PolicyDecisionReason
{
    public const string Rbac = "rbac";
    public const string PermitPolicy = "permit-policy";
    public const string ForbidPolicy = "forbid-policy";
    public const string PolicyError = "policy-error";
    public const string NoPermit = "no-permit";
}

namespace Bulwark.Core.Incidents.Detection;

/// <summary>Stable rule ids: incidents, alerts and SIEM exports refer to them, so they never change.</summary>
internal static class DetectionRuleIds
{
    public const string BruteForce = "auth.brute-force";
    public const string CredentialStuffing = "auth.credential-stuffing";
    public const string ApiKeyNewNetwork = "apikey.new-network";
    public const string Probing = "serving.probing";
    public const string MassQuery = "serving.mass-query";
    public const string BudgetExhausted = "serving.budget-exhausted";
    public const string ModelIntegrity = "integrity.model";
    public const string AuditChain = "integrity.audit-chain";
    public const string PrivilegeChange = "access.privilege-change";
    public const string AdminOffHours = "access.admin-off-hours";
    public const string BreakGlass = "access.break-glass";
}

namespace Bulwark.Core.Incidents;

/// <summary>
/// Incident types and the checklist each must complete before it can close. Containment actions taken under an incident
/// tick their item automatically; the rest are ticked by a person with the evidence (docs/incident-response.md).
/// </summary>
internal static class IncidentPlaybooks
{
    public const string CredentialAttack = "credential-attack";
    public const string LeakedCredential = "leaked-credential";
    public const string ModelTampering = "model-tampering";
    public const string AuditTampering = "audit-tampering";
    public const string PrivilegeMisuse = "privilege-misuse";
    public const string Other = "other";

    // Checklist item ids (stable; the CLI and docs use them).
    public const string RevokeCredentials = "revoke-credentials";
    public const string BlockNetwork = "block-network";
    public const string ReviewAccess = "review-access";
    public const string QuarantineVersion = "quarantine-version";
    public const string ReverifyArtifacts = "reverify-artifacts";
    public const string RestoreService = "restore-service";
    public const string VerifyAuditChain = "verify-audit-chain";
    public const string ExportEvidence = "export-evidence";
    public const string RotateKeys = "rotate-keys";
    public const string RevertChanges = "revert-changes";

    private static readonly Dictionary<string, string[]> Checklists = new(StringComparer.Ordinal)
    {
        [CredentialAttack] = [BlockNetwork, ReviewAccess, VerifyAuditChain, ExportEvidence],
        [LeakedCredential] = [RevokeCredentials, ReviewAccess, VerifyAuditChain, ExportEvidence],
        [ModelTampering] = [QuarantineVersion, ReverifyArtifacts, RestoreService, VerifyAuditChain, ExportEvidence],
        [AuditTampering] = [VerifyAuditChain, RotateKeys, ExportEvidence],
        [PrivilegeMisuse] = [ReviewAccess, RevertChanges, RevokeCredentials, VerifyAuditChain, ExportEvidence],
        [Other] = [ReviewAccess, VerifyAuditChain, ExportEvidence],
    };

    public static IReadOnlyCollection<string> Types => Checklists.Keys;

    public static bool IsType(string? type) => type is not null && Checklists.ContainsKey(type);

    public static IReadOnlyList<string> ChecklistOf(string type) => Checklists.TryGetValue(type, out var items) ? items : Checklists[Other];

    /// <summary>The playbook a detection rule's incidents follow.</summary>
    public static string ForRule(string ruleId) => ruleId switch
    {
        _ when ruleId.StartsWith("auth.", StringComparison.Ordinal) => CredentialAttack,
        _ when ruleId.StartsWith("apikey.", StringComparison.Ordinal) || ruleId.StartsWith("serving.", StringComparison.Ordinal) => LeakedCredential,
        "integrity.model" => ModelTampering,
        "integrity.audit-chain" => AuditTampering,
        _ when ruleId.StartsWith("access.", StringComparison.Ordinal) => PrivilegeMisuse,
        _ => Other,
    };
}

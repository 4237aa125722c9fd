using System.Collections.Frozen;

namespace Bulwark.Core.Access;

/// <summary>
/// The roles every installation has. Duties are separated so that no role but <c>admin</c> can both produce a model and
/// put it into production, and the people who hold the keys and write policies cannot train or predict
/// (NIST SP 800-53 AC-5, separation of duties; AC-6, least privilege).
/// </summary>
internal static class BuiltInRoles
{
    public const string Admin = "admin";
    public const string SecurityOfficer = "security-officer";
    public const string MlEngineer = "ml-engineer";
    public const string DataScientist = "data-scientist";
    public const string Approver = "approver";
    public const string Auditor = "auditor";
    public const string Service = "service";

    /// <summary>Role name → the permissions it grants.</summary>
    public static FrozenDictionary<string, FrozenSet<string>> Permissions { get; } = new Dictionary<string, FrozenSet<string>>(StringComparer.Ordinal)
    {
        [Admin] = AccessPermissions.All,
        [SecurityOfficer] = Set(
            AccessPermissions.AuditRead, AccessPermissions.KeysManage, AccessPermissions.UsersManage,
            AccessPermissions.PoliciesManage, AccessPermissions.ModelsRead, AccessPermissions.DatasetsRead,
            AccessPermissions.IncidentsRead, AccessPermissions.IncidentsManage, AccessPermissions.MetricsRead, AccessPermissions.PrivacyManage),
        [MlEngineer] = Set(
            AccessPermissions.DatasetsRead, AccessPermissions.DatasetsWrite, AccessPermissions.ModelsRead,
            AccessPermissions.ModelsWrite, AccessPermissions.ModelsTrain, AccessPermissions.ModelsExport, AccessPermissions.Predict,
            AccessPermissions.PredictionsFull, AccessPermissions.Feedback),
        [DataScientist] = Set(
            AccessPermissions.DatasetsRead, AccessPermissions.ModelsRead, AccessPermissions.ModelsTrain, AccessPermissions.Predict,
            AccessPermissions.PredictionsFull),
        [Approver] = Set(AccessPermissions.ModelsRead, AccessPermissions.ModelsPromote, AccessPermissions.DatasetsRead),
        [Auditor] = Set(AccessPermissions.AuditRead, AccessPermissions.ModelsRead, AccessPermissions.DatasetsRead, AccessPermissions.IncidentsRead),
        [Service] = Set(AccessPermissions.Predict, AccessPermissions.Feedback),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static bool IsBuiltIn(string role) => Permissions.ContainsKey(role);

    private static FrozenSet<string> Set(params string[] permissions) => permissions.ToFrozenSet(StringComparer.Ordinal);
}

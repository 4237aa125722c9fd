using System.Collections.Frozen;

namespace Bulwark.Core.Access;

/// <summary>
/// The permission strings roles grant and policies name as actions. A role may only grant a permission listed here,
/// so a typo in a custom role ("dataset:read") is refused instead of silently granting nothing.
/// </summary>
internal static class AccessPermissions
{
    public const string DatasetsRead = "datasets:read";
    public const string DatasetsWrite = "datasets:write";
    public const string ModelsRead = "models:read";
    public const string ModelsWrite = "models:write";
    public const string ModelsTrain = "models:train";
    public const string ModelsPromote = "models:promote";
    public const string ModelsExport = "models:export";
    public const string Predict = "predict";
    public const string KeysManage = "keys:manage";
    public const string AuditRead = "audit:read";
    public const string UsersManage = "users:manage";
    public const string PoliciesManage = "policies:manage";
    public const string ProjectsManage = "projects:manage";

    public static FrozenSet<string> All { get; } = FrozenSet.Create(
        StringComparer.Ordinal,
        DatasetsRead, DatasetsWrite, ModelsRead, ModelsWrite, ModelsTrain, ModelsPromote, ModelsExport,
        Predict, KeysManage, AuditRead, UsersManage, PoliciesManage, ProjectsManage);

    public static bool IsKnown(string permission) => All.Contains(permission);
}

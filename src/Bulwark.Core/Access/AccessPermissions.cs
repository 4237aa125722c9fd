using System.Collections.Frozen;
using Bulwark.Core.Identity;

namespace Bulwark.Core.Access;

/// <summary>
/// The permissions roles grant and policies name as actions: every permission of <see cref="Permissions"/> except the
/// "admin" key scope (the admin role grants them all instead). A role may only grant a permission listed here, so a
/// typo in a custom role ("dataset:read") is refused instead of silently granting nothing.
/// </summary>
internal static class AccessPermissions
{
    public const string DatasetsRead = Permissions.DatasetsRead;
    public const string DatasetsWrite = Permissions.DatasetsWrite;
    public const string ModelsRead = Permissions.ModelsRead;
    public const string ModelsWrite = Permissions.ModelsWrite;
    public const string ModelsTrain = Permissions.ModelsTrain;
    public const string ModelsPromote = Permissions.ModelsPromote;
    public const string ModelsExport = Permissions.ModelsExport;
    public const string Predict = Permissions.PredictAny;
    public const string PredictionsFull = Permissions.PredictionsFull;
    public const string Feedback = Permissions.Feedback;
    public const string KeysManage = Permissions.KeysManage;
    public const string AuditRead = Permissions.AuditRead;
    public const string UsersManage = Permissions.UsersManage;
    public const string PoliciesManage = Permissions.PoliciesManage;
    public const string ProjectsManage = Permissions.ProjectsManage;
    public const string IncidentsRead = Permissions.IncidentsRead;
    public const string IncidentsManage = Permissions.IncidentsManage;
    public const string MetricsRead = Permissions.MetricsRead;
    public const string PrivacyManage = Permissions.PrivacyManage;

    /// <summary>Derived from <see cref="Permissions.Fixed"/>, so a permission added there is grantable by roles too.</summary>
    public static FrozenSet<string> All { get; } = Permissions.Fixed.Where(p => p != Permissions.Admin).ToFrozenSet(StringComparer.Ordinal);

    public static bool IsKnown(string permission) => All.Contains(permission);
}

using System.Text.RegularExpressions;

namespace Bulwark.Core.Identity;

/// <summary>
/// The permissions an API key scope can grant. Every endpoint declares exactly one of these (deny by default).
/// </summary>
public static partial class Permissions
{
    public const string Admin = "admin";
    public const string DatasetsRead = "datasets:read";
    public const string DatasetsWrite = "datasets:write";
    public const string ModelsRead = "models:read";
    public const string ModelsWrite = "models:write";
    public const string ModelsPromote = "models:promote";
    public const string KeysManage = "keys:manage";
    public const string AuditRead = "audit:read";
    public const string PredictPrefix = "predict:";

    private static readonly HashSet<string> Fixed = [Admin, DatasetsRead, DatasetsWrite, ModelsRead, ModelsWrite, ModelsPromote, KeysManage, AuditRead];

    public static string Predict(string model) => PredictPrefix + model;

    /// <summary>Is <paramref name="scope"/> one a key may carry: a fixed permission, "predict:*" or "predict:&lt;model&gt;".</summary>
    public static bool IsValidScope(string scope) =>
        Fixed.Contains(scope)
        || (scope.StartsWith(PredictPrefix, StringComparison.Ordinal)
            && (scope.Length == PredictPrefix.Length + 1 && scope[^1] == '*' || IsValidModelName(scope[PredictPrefix.Length..])));

    public static bool Grants(IReadOnlySet<string> scopes, string permission)
    {
        if (scopes.Contains(Admin) || scopes.Contains(permission))
        {
            return true;
        }

        // Reading a model's metadata is implied by the right to predict with it (the OIP metadata endpoints).
        return permission.StartsWith(PredictPrefix, StringComparison.Ordinal) && scopes.Contains("predict:*");
    }

    /// <summary>Model names: lowercase letters, digits, '-', '_' and '.', starting with a letter or digit, at most 64.</summary>
    public static bool IsValidModelName(string name) => ModelNamePattern().IsMatch(name);

    // \A and \z, not ^ and $: "$" also matches before a final "\n", which would let "name\n" through.
    [GeneratedRegex(@"\A[a-z0-9][a-z0-9._-]{0,63}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex ModelNamePattern();
}

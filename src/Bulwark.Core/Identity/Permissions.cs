using System.Text.RegularExpressions;

namespace Bulwark.Core.Identity;

/// <summary>
/// The permissions roles and API key scopes grant. Every endpoint declares exactly one of these (deny by default).
/// docs/access-control.md lists which built-in role holds which.
/// </summary>
public static partial class Permissions
{
    public const string Admin = "admin";
    public const string DatasetsRead = "datasets:read";
    public const string DatasetsWrite = "datasets:write";
    public const string ModelsRead = "models:read";
    public const string ModelsWrite = "models:write";
    public const string ModelsPromote = "models:promote";
    public const string ModelsTrain = "models:train";
    public const string ModelsExport = "models:export";
    public const string KeysManage = "keys:manage";
    public const string AuditRead = "audit:read";
    public const string UsersManage = "users:manage";
    public const string PoliciesManage = "policies:manage";
    public const string ProjectsManage = "projects:manage";
    public const string MetricsRead = "metrics:read";

    /// <summary>Read incidents, their timelines and the containment controls in force.</summary>
    public const string IncidentsRead = "incidents:read";

    /// <summary>Work incidents and take containment actions (lockdown, freeze, network blocks, revocation, quarantine).</summary>
    public const string IncidentsManage = "incidents:manage";

    /// <summary>
    /// Full prediction outputs: scores to 4 decimals and every class probability. Without it callers get the minimised
    /// form (label and a score to 2 decimals), which makes model extraction costlier.
    /// </summary>
    public const string PredictionsFull = "predictions:full";

    /// <summary>Report the true outcome of served predictions (feedback labels for live metrics and retraining).</summary>
    public const string Feedback = "feedback";

    /// <summary>
    /// Act on data subjects' rights: erase a subject from every store, export everything held about them (GDPR Art. 15,
    /// 17). Both read or destroy personal data across datasets and captures, so only privacy officers hold it.
    /// </summary>
    public const string PrivacyManage = "privacy:manage";

    /// <summary>Predict with any model of the project (the role form; API keys may narrow it to "predict:&lt;model&gt;").</summary>
    public const string PredictAny = "predict";
    public const string PredictPrefix = "predict:";

    /// <summary>Every fixed permission (without the per-model predict forms).</summary>
    public static readonly IReadOnlySet<string> Fixed = new HashSet<string>(StringComparer.Ordinal)
    {
        Admin, DatasetsRead, DatasetsWrite, ModelsRead, ModelsWrite, ModelsPromote, ModelsTrain, ModelsExport, KeysManage, AuditRead,
        UsersManage, PoliciesManage, ProjectsManage, MetricsRead, PredictAny, IncidentsRead, IncidentsManage, PredictionsFull, Feedback, PrivacyManage,
    };

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

        // "predict" and "predict:*" grant predicting with every model of the project.
        return permission.StartsWith(PredictPrefix, StringComparison.Ordinal) && (scopes.Contains("predict:*") || scopes.Contains(PredictAny));
    }

    /// <summary>Model names: lowercase letters, digits, '-', '_' and '.', starting with a letter or digit, at most 64.</summary>
    public static bool IsValidModelName(string name) => ModelNamePattern().IsMatch(name);

    // \A and \z, not ^ and $: "$" also matches before a final "\n", which would let "name\n" through.
    [GeneratedRegex(@"\A[a-z0-9][a-z0-9._-]{0,63}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex ModelNamePattern();
}

using System.Text.RegularExpressions;

namespace Bulwark.Core.Projects;

/// <summary>Project id rules and the two reserved ids.</summary>
internal static partial class ProjectIds
{
    /// <summary>The project created by <c>bulwark init</c>; requests without a <c>Bulwark-Project</c> header land here.</summary>
    public const string Default = "default";

    /// <summary>A membership in every project (instance-wide). Never the project of an object.</summary>
    public const string AllProjects = "*";

    public static bool IsValid(string id) => Pattern().IsMatch(id);

    // \A and \z, not ^ and $: "$" also matches before a final "\n".
    [GeneratedRegex(@"\A[a-z][a-z0-9-]{1,39}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex Pattern();
}

using Bulwark.Core.Datasets;
using Bulwark.Core.Projects;

namespace Bulwark.Core.Identity;

/// <summary>
/// Who authenticated, before a project is chosen. A user (or external identity) holds roles per project; an API key or
/// OAuth client is bound to one project (or "*") with fixed scopes. <see cref="ActIn"/> turns it into the
/// <see cref="BulwarkPrincipal"/> of one request.
/// </summary>
internal sealed record BulwarkIdentity(string Id, string Name, string Kind, string AuthenticationMethod)
{
    /// <summary>Roles per project id ("*" = every project). Used for users and external identities.</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> RolesByProject { get; init; } = new Dictionary<string, IReadOnlySet<string>>();

    /// <summary>The one project an API key or client may act in ("*" = every project); null for users.</summary>
    public string? BoundProject { get; init; }

    /// <summary>The scopes of an API key or client; null for users.</summary>
    public IReadOnlySet<string>? BoundScopes { get; init; }
    public bool Mfa { get; init; }
    public DateTimeOffset? AuthTime { get; init; }
    public DataClassification Clearance { get; init; } = DataClassification.Internal;
    public string? TokenId { get; init; }

    /// <summary>The project a request without a <c>Bulwark-Project</c> header acts in.</summary>
    public string DefaultProject
    {
        get
        {
            if (BoundProject is { } bound)
            {
                return bound == ProjectIds.AllProjects ? ProjectIds.Default : bound;
            }

            var concrete = RolesByProject.Keys.Where(p => p != ProjectIds.AllProjects).Take(2).ToList();
            return concrete.Count == 1 && !RolesByProject.ContainsKey(ProjectIds.AllProjects) ? concrete[0] : ProjectIds.Default;
        }
    }

    /// <summary>
    /// This identity acting in <paramref name="projectId"/> ("*" for instance-wide endpoints), or null when it holds
    /// nothing there: the caller then answers as if the project did not exist.
    /// </summary>
    public BulwarkPrincipal? ActIn(string projectId, Func<IEnumerable<string>, IReadOnlySet<string>> permissionsOfRoles)
    {
        IReadOnlySet<string> scopes;
        IReadOnlySet<string> roles;
        if (BoundProject is { } bound)
        {
            if (bound != ProjectIds.AllProjects && bound != projectId)
            {
                return null;
            }

            scopes = BoundScopes ?? new HashSet<string>();
            roles = new HashSet<string>();
        }
        else
        {
            var held = new HashSet<string>(StringComparer.Ordinal);
            if (RolesByProject.TryGetValue(ProjectIds.AllProjects, out var everywhere))
            {
                held.UnionWith(everywhere);
            }

            if (projectId != ProjectIds.AllProjects && RolesByProject.TryGetValue(projectId, out var here))
            {
                held.UnionWith(here);
            }

            // A member whose roles are all inactive (privileged roles without MFA) is still a member: 403, not 404.
            if (held.Count == 0 && !RolesByProject.ContainsKey(ProjectIds.AllProjects) && !RolesByProject.ContainsKey(projectId))
            {
                return null;
            }

            roles = held;
            scopes = permissionsOfRoles(held);
        }

        return new BulwarkPrincipal(Id, Name, scopes, AuthenticationMethod)
        {
            ProjectId = projectId,
            Kind = Kind,
            Roles = roles,
            Projects = BoundProject is { } b ? new HashSet<string> { b } : RolesByProject.Keys.ToHashSet(StringComparer.Ordinal),
            Mfa = Mfa,
            AuthTime = AuthTime,
            Clearance = Clearance,
            TokenId = TokenId,
        };
    }
}

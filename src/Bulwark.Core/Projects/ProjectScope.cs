namespace Bulwark.Core.Projects;

/// <summary>
/// The project a unit of work acts in (one per DI scope, i.e. per request). The database applies it as a query filter
/// to every project-owned table, so a query that forgets to filter by project still cannot see another tenant's rows.
/// Unset, the filter matches nothing: code that must see every project (the training worker, start-up checks) says so
/// explicitly with <c>IgnoreQueryFilters()</c>.
/// </summary>
internal sealed class ProjectScope
{
    public string? ProjectId { get; private set; }

    public void Enter(string projectId)
    {
        if (!ProjectIds.IsValid(projectId))
        {
            throw new ArgumentException($"'{projectId}' is not a project id.", nameof(projectId));
        }

        if (ProjectId is not null && ProjectId != projectId)
        {
            // One scope, one project: switching mid-request would mix tenants in one unit of work.
            throw new InvalidOperationException("This scope already acts in another project.");
        }

        ProjectId = projectId;
    }

    /// <summary>The current project; throws where code needs one and the caller forgot to resolve it (a bug, never input).</summary>
    public string Required => ProjectId ?? throw new InvalidOperationException("No project has been resolved for this scope.");
}

using Bulwark.Client.Contracts;
using Bulwark.Core.Access;
using Bulwark.Core.Audit;
using Bulwark.Core.Identity;
using Bulwark.Core.Projects;
using Bulwark.Core.Telemetry;
using Bulwark.Server.Hosting;

namespace Bulwark.Server.Authentication;

/// <summary>
/// Chooses the project an authenticated request acts in (the <c>Bulwark-Project</c> header, else the identity's default)
/// and turns the identity into that project's <see cref="BulwarkPrincipal"/>. A project that does not exist and a project
/// the caller is not a member of get the same 404, so project names cannot be probed. The project then scopes every
/// database query of the request (<see cref="ProjectScope"/>).
/// </summary>
internal sealed class ProjectResolutionMiddleware(RequestDelegate next, TimeProvider time)
{
    public const string ProjectHeader = "Bulwark-Project";

    /// <summary>One audit event per identity per window for project probes: enough to see them, too few to flood the ledger.</summary>
    private static readonly TimeSpan AuditWindow = TimeSpan.FromSeconds(10);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _lastAudited = new(StringComparer.Ordinal);

    public async Task InvokeAsync(HttpContext context, ProjectScope scope, ProjectDirectory projects, RoleRegistry roles, AuditLedger audit)
    {
        if (context.GetIdentityOrNull() is not { } identity)
        {
            await next(context);
            return;
        }

        if (context.GetEndpoint()?.Metadata.GetMetadata<InstanceWideMetadata>() is not null)
        {
            // Instance-wide endpoints: only "*" grants count. Without any, the principal holds nothing and authorization
            // answers 403 (these routes name no project, so there is nothing to hide behind a 404).
            context.SetPrincipal(identity.ActIn(ProjectIds.AllProjects, roles.PermissionsOf)
                ?? new BulwarkPrincipal(identity.Id, identity.Name, new HashSet<string>(), identity.AuthenticationMethod) { Kind = identity.Kind, ProjectId = ProjectIds.AllProjects });
            await next(context);
            return;
        }

        var header = context.Request.Headers[ProjectHeader];
        if (header.Count > 1)
        {
            await Problems.WriteAsync(context, ErrorCodes.ProjectInvalid, StatusCodes.Status400BadRequest, $"Send at most one {ProjectHeader} header.");
            return;
        }

        var projectId = header.Count == 1 ? header[0]?.Trim() ?? "" : identity.DefaultProject;
        if (!ProjectIds.IsValid(projectId))
        {
            await Problems.WriteAsync(context, ErrorCodes.ProjectInvalid, StatusCodes.Status400BadRequest,
                $"{ProjectHeader} must be a project id: 2–40 lowercase letters, digits and '-', starting with a letter.");
            return;
        }

        var principal = identity.ActIn(projectId, roles.PermissionsOf);
        if (principal is null || !await projects.ExistsAsync(projectId, context.RequestAborted))
        {
            context.RequestServices.GetRequiredService<BulwarkMetrics>().AuthDenied(DenialReasons.Project);
            if (ShouldAudit(identity.Id))
            {
                await audit.AppendAsync(new AuditEntry(AuditCodes.AccessDenied, "auth.project", identity.Id, "project/" + projectId, "denied",
                    context.ClientAddress(), new Dictionary<string, object?> { ["method"] = context.Request.Method, ["path"] = AuditPath.Of(context.Request), ["reason"] = "not-a-member" }));
            }

            await Problems.WriteAsync(context, ErrorCodes.ProjectNotFound, StatusCodes.Status404NotFound,
                $"Project '{projectId}' does not exist or you are not a member of it.");
            return;
        }

        scope.Enter(projectId);
        context.SetPrincipal(principal);
        await next(context);
    }

    private bool ShouldAudit(string identityId)
    {
        var now = time.GetUtcNow();
        if (_lastAudited.TryGetValue(identityId, out var last) && now - last < AuditWindow)
        {
            return false;
        }

        if (_lastAudited.Count > 100_000)
        {
            _lastAudited.Clear();
        }

        _lastAudited[identityId] = now;
        return true;
    }
}

using Bulwark.Core.Audit;
using Bulwark.Core.BreakGlass;
using Bulwark.Core.Identity;
using Bulwark.Core.Projects;
using Bulwark.Server.Authentication;

namespace Bulwark.Server.BreakGlass;

/// <summary>
/// Applies an active break-glass session to a user's request in its project: the session's permissions are added to the
/// principal before authorization, every audit event of the request carries the method marker <c>+break-glass</c>, and
/// the request itself is recorded (<see cref="AuditCodes.BreakGlassRequest"/>) with its status once answered. Runs after
/// project resolution, so the elevation never reaches another project; expiry needs no timer, because the session is
/// read on every request and a lapsed one simply no longer applies.
/// </summary>
internal sealed class BreakGlassMiddleware(RequestDelegate next)
{
    public const string Marker = "+break-glass";

    public async Task InvokeAsync(HttpContext context, BreakGlassService breakGlass)
    {
        if (context.GetPrincipalOrNull() is not { Kind: PrincipalKinds.User } principal
            || principal.ProjectId == ProjectIds.AllProjects
            || context.Request.Path.StartsWithSegments(BreakGlassEndpoints.Prefix, StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        var session = await breakGlass.FindActiveAsync(principal.Id, principal.ProjectId, context.RequestAborted);
        if (session is null)
        {
            await next(context);
            return;
        }

        var scopes = new HashSet<string>(principal.Scopes, StringComparer.Ordinal);
        scopes.UnionWith(session.Permissions.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        context.SetPrincipal(principal with { Scopes = scopes });
        var caller = AuditContext.Current;
        AuditContext.Set((caller?.AuthMethod ?? principal.AuthenticationMethod) + Marker, context.Request.Headers.UserAgent.ToString());
        try
        {
            await next(context);
        }
        finally
        {
            // Not the request's token: a client that hangs up must not erase the record of what it did.
            await breakGlass.RecordRequestAsync(session, context.Request.Method, AuditPath.Of(context.Request), context.Response.StatusCode,
                context.ClientAddress(), CancellationToken.None);
        }
    }
}

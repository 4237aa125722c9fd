using Bulwark.Core.Audit;
using Bulwark.Core.BreakGlass;
using Bulwark.Core.Identity;
using Bulwark.Core.Projects;
using Bulwark.Server.Authentication;
using Microsoft.Extensions.Options;

namespace Bulwark.Server.BreakGlass;

/// <summary>
/// Applies an active break-glass session to a user's request in its project: the session's permissions are added to the
/// principal before authorization, every audit event of the request carries the method marker <c>+break-glass</c>, and
/// the request itself is recorded (<see cref="AuditCodes.BreakGlassRequest"/>) with its status once answered. Runs after
/// project resolution, so the elevation never reaches another project; expiry needs no timer, because the session is
/// read on every request and a lapsed one simply no longer applies. The elevation follows the person only while they
/// still hold an eligible role there and only on a session signed in with MFA (as starting one required): a password-only
/// session or a token without the second factor gets nothing from it.
/// </summary>
internal sealed class BreakGlassMiddleware(RequestDelegate next)
{
    public const string Marker = "+break-glass";

    public async Task InvokeAsync(HttpContext context, BreakGlassService breakGlass, IOptions<BreakGlassOptions> options)
    {
        if (context.GetPrincipalOrNull() is not { Kind: PrincipalKinds.User, Mfa: true } principal
            || principal.ProjectId == ProjectIds.AllProjects
            || !principal.Roles.Any(options.Value.EffectiveEligibleRoles.Contains)
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
        var status = 500; // what the exception handler will answer if the request throws
        try
        {
            await next(context);
            status = context.Response.StatusCode;
        }
        finally
        {
            // Not the request's token: a client that hangs up must not erase the record of what it did.
            await breakGlass.RecordRequestAsync(session, context.Request.Method, AuditPath.Of(context.Request), status,
                context.ClientAddress(), CancellationToken.None);
        }
    }
}

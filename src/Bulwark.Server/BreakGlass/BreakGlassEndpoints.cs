using Bulwark.Client.Contracts;
using Bulwark.Core.BreakGlass;
using Bulwark.Core.Identity;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bulwark.Server.BreakGlass;

/// <summary>Emergency (break-glass) access: start in a project, end early, and the security team's list.</summary>
/// <remarks>
/// Starting needs a person signed in with MFA (step-up) who holds an eligible role in the request's project: the
/// elevation is a conscious act by an identified human, never by a standing credential. Ending is open to the holder
/// (anyone may give up privilege) and to security officers (<c>incidents:manage</c> instance-wide), who must be able to
/// stop an elevation they judge unjustified without waiting for it to lapse. The list is instance-wide and read-only
/// (<c>incidents:read</c>: security officers, auditors, admins), because every session is a security event to review.
/// </remarks>
internal static class BreakGlassEndpoints
{
    public const string Prefix = "/api/v1/break-glass";
    private const int MaxMinutes = 24 * 60;

    public static IEndpointRouteBuilder MapBreakGlass(this IEndpointRouteBuilder app)
    {
        app.MapPost(Prefix, StartAsync).WithName("StartBreakGlass").WithTags("BreakGlass")
            .RequirePermission(PermissionPolicies.Self).RequireStepUp().AcceptsJson();
        app.MapPost(Prefix + "/{id}/end", EndAsync).WithName("EndBreakGlass").WithTags("BreakGlass")
            .RequirePermission(PermissionPolicies.Self).InstanceWide();
        app.MapGet(Prefix, ListAsync).WithName("ListBreakGlass").WithTags("BreakGlass")
            .RequirePermission(Permissions.IncidentsRead).InstanceWide();
        return app;
    }

    private static async Task<Results<Created<BreakGlassSessionInfo>, ProblemHttpResult>> StartAsync(
        BreakGlassStartRequest request, BreakGlassService breakGlass, HttpContext context, CancellationToken cancellationToken)
    {
        if (request.Minutes is { } minutes && (minutes < 1 || minutes > MaxMinutes))
        {
            return Problems.Of(ErrorCodes.BreakGlassInvalid, 400, "Minutes must be a whole number of minutes, at least 1 and at most the configured maximum.");
        }

        var outcome = await breakGlass.StartAsync(context.GetPrincipal(), request.Reason, request.Minutes is { } m ? TimeSpan.FromMinutes(m) : null,
            context.ClientAddress(), cancellationToken);
        return outcome.Succeeded
            ? TypedResults.Created($"{Prefix}/{outcome.Value.Id:N}", ToInfo(outcome.Value, DateTimeOffset.MinValue))
            : Problems.From(outcome.Failure);
    }

    private static async Task<Results<Ok<BreakGlassSessionInfo>, ProblemHttpResult>> EndAsync(
        string id, BreakGlassService breakGlass, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var sessionId))
        {
            return Problems.Of(ErrorCodes.BreakGlassNotFound, 404, "No such break-glass session.");
        }

        // Instance-wide principal: incidents:manage here comes only from a "*" grant (a security officer or admin with MFA).
        var caller = context.GetPrincipal();
        var outcome = await breakGlass.EndAsync(sessionId, caller, caller.Has(Permissions.IncidentsManage), context.ClientAddress(), cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(ToInfo(outcome.Value, time.GetUtcNow())) : Problems.From(outcome.Failure);
    }

    private static async Task<Ok<BreakGlassSessionInfo[]>> ListAsync(bool? active, BreakGlassService breakGlass, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var sessions = await breakGlass.ListAsync(active == true, since: null, limit: 500, cancellationToken);
        return TypedResults.Ok(sessions.Select(s => ToInfo(s, now)).ToArray());
    }

    internal static BreakGlassSessionInfo ToInfo(BreakGlassSession s, DateTimeOffset now) => new(
        s.Id.ToString("N"), s.UserId, s.Login, s.ProjectId, s.Reason, s.Permissions.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        s.StartedAt, s.ExpiresAt, s.EndedAt, s.EndedBy, now == DateTimeOffset.MinValue ? s.EndedAt is null : s.IsActiveAt(now), s.Requests);
}

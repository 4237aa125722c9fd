using Bulwark.Client.Contracts;
using Bulwark.Core.Access;
using Bulwark.Core.Incidents.Containment;
using Bulwark.Core.Projects;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;

namespace Bulwark.Server.Incidents;

/// <summary>
/// Enforces blocked networks, before any credential is looked at. Health probes pass: an orchestrator must still see
/// the instance. Reads <see cref="ContainmentState"/> only (no I/O), so it costs nothing until a block exists.
/// </summary>
internal sealed class NetworkBlockMiddleware(RequestDelegate next, ContainmentState state)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (state.IsBlocked(context.Connection.RemoteIpAddress) && !context.Request.Path.StartsWithSegments("/v2/health", StringComparison.Ordinal))
        {
            return Problems.WriteAsync(context, ErrorCodes.NetworkBlocked, StatusCodes.Status403Forbidden,
                "Requests from this network are blocked by incident response.");
        }

        return next(context);
    }
}

/// <summary>
/// Enforces lockdown and the freeze after authentication. In lockdown only administrators and security officers of the
/// whole instance ("*") signed in with MFA may call anything but anonymous endpoints (health, sign-in): an API key, however
/// privileged, may be the leaked credential the lockdown is meant to stop.
/// </summary>
internal sealed class LockdownMiddleware(RequestDelegate next, ContainmentState state)
{
    public Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (state.Lockdown && endpoint?.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is null && !IsResponder(context))
        {
            context.Response.Headers.RetryAfter = "60";
            return Problems.WriteAsync(context, ErrorCodes.Lockdown, StatusCodes.Status503ServiceUnavailable,
                "The instance is in lockdown for incident response; only administrators and security officers signed in with MFA may act.");
        }

        if (state.Frozen && endpoint?.Metadata.GetMetadata<FrozenByContainmentMetadata>() is not null)
        {
            return Problems.WriteAsync(context, ErrorCodes.Frozen, StatusCodes.Status423Locked,
                "Training, model imports and promotions are frozen by incident response.");
        }

        return next(context);
    }

    private static bool IsResponder(HttpContext context) =>
        context.GetIdentityOrNull() is { Mfa: true, BoundProject: null } identity
        && identity.RolesByProject.TryGetValue(ProjectIds.AllProjects, out var roles)
        && (roles.Contains(BuiltInRoles.Admin) || roles.Contains(BuiltInRoles.SecurityOfficer));
}

/// <summary>Marks endpoints that change what models exist or serve (training, import, promotion): refused while frozen.</summary>
internal sealed record FrozenByContainmentMetadata
{
    public static readonly FrozenByContainmentMetadata Instance = new();
}

internal static class FrozenByContainmentExtensions
{
    public static TBuilder FrozenByContainment<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(FrozenByContainmentMetadata.Instance);
}

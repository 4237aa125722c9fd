using Bulwark.Core.Identity;
using Bulwark.Server.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bulwark.Server.Health;

/// <summary>
/// OIP v2 liveness and readiness. The only anonymous endpoints: orchestrators probe them without credentials, and
/// they reveal nothing beyond "up" or "not ready". A caller holding <c>metrics:read</c> instance-wide also gets the
/// result of each check, so an operator can see why an instance is not ready without reading its log.
/// </summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v2/health").WithTags("Health").AllowAnonymous();
        group.MapGet("/live", Live).WithName("HealthLive");

        // Instance-wide: credentials, when sent, are read as "*" grants (the breakdown is about the whole instance).
        group.MapGet("/ready", ReadyAsync).WithName("HealthReady").InstanceWide();
        return app;
    }

    private static Ok<LiveStatus> Live() => TypedResults.Ok(new LiveStatus(true));

    private static async Task<Results<JsonHttpResult<ReadyStatus>, JsonHttpResult<ReadyDetail>>> ReadyAsync(
        HealthCheckService health, IAuthorizationService authorization, HttpContext context, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(cancellationToken);
        // Degraded (some model not servable) is still ready: the replica itself can serve everything else.
        var ready = report.Status != HealthStatus.Unhealthy;
        var status = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        if (context.GetPrincipalOrNull() is null
            || !(await authorization.AuthorizeAsync(context.User, context, Permissions.MetricsRead)).Succeeded)
        {
            return TypedResults.Json(new ReadyStatus(ready), statusCode: status);
        }

        // Fixed descriptions only: an exception's message may name paths or internals, and belongs in the log.
        var checks = report.Entries.ToDictionary(
            e => e.Key,
            e => new CheckStatus(e.Value.Status.ToString().ToLowerInvariant(), e.Value.Exception is null ? e.Value.Description : FailedDescription(e.Value)),
            StringComparer.Ordinal);
        return TypedResults.Json(new ReadyDetail(ready, checks), statusCode: status);
    }

    private static string FailedDescription(HealthReportEntry entry) =>
        (entry.Description is { } description && entry.Description != entry.Exception?.Message ? description + " " : "") + "Details are in the server log.";
}

/// <summary>OIP v2 readiness response body ({"ready": true}).</summary>
internal sealed record ReadyStatus(bool Ready);

/// <summary>Readiness with each check's result, for callers holding metrics:read.</summary>
internal sealed record ReadyDetail(bool Ready, IReadOnlyDictionary<string, CheckStatus> Checks);

/// <summary>One readiness check: healthy, degraded or unhealthy, and why.</summary>
internal sealed record CheckStatus(string Status, string? Description);

/// <summary>OIP v2 liveness response body ({"live": true}).</summary>
internal sealed record LiveStatus(bool Live);

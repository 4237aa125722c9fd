using Bulwark.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Server.Health;

/// <summary>
/// OIP v2 liveness and readiness. The only anonymous endpoints: orchestrators probe them without credentials, and
/// they reveal nothing beyond "up" or "not ready".
/// </summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v2/health").WithTags("Health").AllowAnonymous();
        group.MapGet("/live", Live).WithName("HealthLive");
        group.MapGet("/ready", ReadyAsync).WithName("HealthReady");
        return app;
    }

    private static Ok<LiveStatus> Live() => TypedResults.Ok(new LiveStatus(true));

    private static async Task<Results<Ok<HealthStatus>, JsonHttpResult<HealthStatus>>> ReadyAsync(
        IDbContextFactory<BulwarkDbContext> contexts, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Database.CanConnectAsync(cancellationToken)
            ? TypedResults.Ok(new HealthStatus(true))
            : TypedResults.Json(new HealthStatus(false), statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

/// <summary>OIP v2 readiness response body ({"ready": true}).</summary>
internal sealed record HealthStatus(bool Ready);

/// <summary>OIP v2 liveness response body ({"live": true}).</summary>
internal sealed record LiveStatus(bool Live);

using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bulwark.Server.Health;

/// <summary>
/// The database answers and holds Bulwark's schema at this build's version. "Can connect" alone is not enough with
/// SQLite: an empty or foreign file (a botched restore) opens fine and holds nothing of Bulwark's.
/// </summary>
internal sealed class StoreHealthCheck(IDbContextFactory<BulwarkDbContext> contexts) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            return (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any()
                ? HealthCheckResult.Unhealthy("The database does not hold the current schema (missing, replaced or not migrated).")
                : HealthCheckResult.Healthy("The database answers and its schema is current.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The database cannot be read.", ex);
        }
    }
}

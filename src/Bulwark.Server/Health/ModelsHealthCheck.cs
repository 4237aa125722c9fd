using Bulwark.Core.Registry;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bulwark.Server.Health;

/// <summary>
/// Model readiness for <c>/v2/health/ready</c>. A model that has been in production is ready when exactly the rows
/// claiming production carry a valid stage tag and at least one does; a model whose production version was quarantined
/// with no verified version to fall back to, or was retired, is not. Such models make the instance <b>degraded</b>,
/// never unready: a replica's readiness decides whether the orchestrator sends it any traffic, and one project retiring
/// or quarantining its model must not take every tenant (and the containment API) out of service. Each model's own
/// state is at <c>/v2/models/{name}/ready</c> (Open Inference Protocol v2).
/// </summary>
internal sealed class ModelsHealthCheck(IDbContextFactory<BulwarkDbContext> contexts, ModelStageTag stageTag) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var rows = await db.ModelVersions.IgnoreQueryFilters().AsNoTracking()
                .Where(v => v.PromotedAt != null || v.Stage == ModelStage.Production || v.Stage == ModelStage.Quarantined)
                .ToListAsync(cancellationToken);
            var notReady = rows.GroupBy(v => (v.ProjectId, v.ModelName))
                .Count(model => !model.Any(v => v.Stage == ModelStage.Production) || model.Any(v => v.Stage == ModelStage.Production && !stageTag.Verify(v)));

            // Counts only: model names belong to projects, and this breakdown is shown to instance-wide metrics readers.
            return notReady == 0
                ? HealthCheckResult.Healthy($"All {rows.Select(v => (v.ProjectId, v.ModelName)).Distinct().Count()} models in service have a verified production version.")
                : HealthCheckResult.Degraded($"{notReady} models in service have no verified production version (retired, quarantined or tampered).");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The model registry cannot be read.", ex);
        }
    }
}

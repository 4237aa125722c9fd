using Bulwark.Core.Audit;
using Bulwark.Core.Registry;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Bulwark.Core.Serving;

/// <summary>
/// Resolves a model's challenger for the serving path and caches the answer in <see cref="LoadedModelCache"/>, so a model
/// without a challenger costs one dictionary lookup per request. The configuration's tag, the challenger row's stage tag
/// and manifest digest are checked when the route is (re)built; the artifacts themselves are verified by
/// <see cref="ModelLoader"/> like any other version. Promotion, quarantine and setting or clearing a challenger drop the
/// cached route, so a quarantined challenger stops taking traffic with the next request.
/// </summary>
internal sealed class ChallengerRouter(
    LoadedModelCache cache,
    IDbContextFactory<BulwarkDbContext> contexts,
    ChallengerTag tag,
    ModelStageTag stageTag,
    AuditLedger audit,
    ILogger<ChallengerRouter> logger)
{
    public ValueTask<ChallengerRoute> RouteAsync(string projectId, string modelName, CancellationToken ct)
    {
        var key = LoadedModelCache.Key(projectId, modelName);
        return cache.TryGetChallenger(key, out var route) ? ValueTask.FromResult(route) : new ValueTask<ChallengerRoute>(LoadAsync(key, projectId, modelName, ct));
    }

    private async Task<ChallengerRoute> LoadAsync(string key, string projectId, string modelName, CancellationToken ct)
    {
        var generation = cache.Generation(key);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var config = await db.ModelChallengers.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(c => c.ProjectId == projectId && c.ModelName == modelName, ct);
        var route = ChallengerRoute.None;
        if (config is not null)
        {
            var row = await db.ModelVersions.IgnoreQueryFilters().AsNoTracking()
                .FirstOrDefaultAsync(v => v.Id == config.VersionId && v.ProjectId == projectId && v.ModelName == modelName, ct);
            var reason = await IneligibleAsync(config, row);
            route = new ChallengerRoute(config, reason is null ? row : null, reason);
        }

        cache.SetChallenger(key, route, generation);
        return route;
    }

    /// <summary>Why the configured challenger may not take traffic, or null when it may. Integrity failures are audited.</summary>
    private async Task<string?> IneligibleAsync(ModelChallenger config, ModelVersion? row)
    {
        if (!tag.Verify(config))
        {
            ServingLog.IntegrityFailure(logger, config.ModelName, config.Version, ChallengerErrors.ConfigTampered, "challenger-tag");
            await audit.AppendAsync(new AuditEntry(AuditCodes.ModelIntegrityFailure, "model.challenger", "system", $"model/{config.ModelName}", "failure",
                Details: new Dictionary<string, object?> { ["code"] = ChallengerErrors.ConfigTampered, ["reason"] = "challenger-tag", ["version"] = config.Version },
                ProjectId: config.ProjectId));
            return "the challenger configuration failed its integrity check";
        }

        if (row is null)
        {
            return $"version {config.Version} no longer exists";
        }

        if (!stageTag.Verify(row))
        {
            ServingLog.IntegrityFailure(logger, row.ModelName, row.Version, RegistryErrors.StageTampered, "stage-tag");
            await audit.AppendAsync(ModelStageTag.TamperedEntry(row, "model.challenger"));
            return $"the stage of version {row.Version} failed its integrity check";
        }

        if (row.ManifestDigest != config.ManifestDigest)
        {
            return $"version {row.Version} is not the artifact that was configured";
        }

        return Eligible(row.Stage) ? null : $"version {row.Version} is {ModelRegistry.Name(row.Stage)}";
    }

    /// <summary>Staged versions (passed their gates) and candidates that pass them when configured; never production, retired or quarantined.</summary>
    public static bool Eligible(ModelStage stage) => stage is ModelStage.Staging or ModelStage.Candidate;
}

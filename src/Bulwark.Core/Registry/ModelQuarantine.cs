using Bulwark.Core.Audit;
using Bulwark.Core.Serving;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Registry;

/// <summary>
/// Takes a model version out of service and puts it back. Quarantining the production version hands production to the
/// most recently promoted earlier version whose signature and artifacts still verify; with none, the model answers 503
/// <c>serving.model-quarantined</c>. A quarantined version returns only after a clean verification, and only to
/// "retired": going back into production is a separate, normal promotion.
/// </summary>
internal sealed class ModelQuarantine(
    BulwarkDbContext db, AuditLedger audit, LoadedModelCache cache, ModelStageTag stageTag, ModelReleaseLedger releases, ModelLoader loader, TimeProvider time)
{
    /// <param name="Fallback">The version now in production instead, if the quarantined one was in production and a good one exists.</param>
    public sealed record Result(ModelVersion Version, ModelVersion? Fallback, bool AlreadyQuarantined);

    public async Task<Outcome<Result>> QuarantineAsync(string projectId, string model, int version, string reason, string actor, string? client, CancellationToken ct = default)
    {
        await ModelRegistry.StageLock.WaitAsync(ct);
        try
        {
            var versions = await db.ModelVersions.IgnoreQueryFilters().Where(v => v.ProjectId == projectId && v.ModelName == model).ToListAsync(ct);
            var row = versions.FirstOrDefault(v => v.Version == version);
            if (row is null)
            {
                return versions.Count > 0 ? RegistryErrors.NoVersion(model, version) : RegistryErrors.NoModel(model);
            }

            if (row.Stage == ModelStage.Quarantined && stageTag.Verify(row))
            {
                return new Result(row, null, true);
            }

            // A version whose stage tag is forged is quarantined all the same: containment must not depend on the row being honest.
            var from = row.Stage;
            row.Stage = ModelStage.Quarantined;
            stageTag.Apply(row);
            var quarantined = new Dictionary<string, object?> { ["from"] = ModelRegistry.Name(from), ["reason"] = reason };
            var entries = new List<AuditEntry> { Entry(AuditCodes.ModelQuarantined, "model.quarantine", actor, client, row, quarantined) };

            // A quarantined version's approvals are void: going back to production needs fresh ones.
            db.ModelApprovals.RemoveRange(await db.ModelApprovals.IgnoreQueryFilters().Where(a => a.VersionId == row.Id).ToListAsync(ct));

            ModelVersion? fallback = null;
            ModelRelease? release = null;
            if (from == ModelStage.Production && !versions.Any(v => v.Id != row.Id && v.Stage == ModelStage.Production && stageTag.Verify(v)))
            {
                // The release record says what production is now. When it cannot be trusted, nothing takes the quarantined
                // version's place (503) — a fallback chosen against a forged record could itself be the rollback.
                var chain = await releases.ReadAsync(db, projectId, model, ct);
                var found = chain.Succeeded ? await FindFallbackAsync(versions.Where(v => v.Id != row.Id), ct) : null;
                if (found is { } good)
                {
                    fallback = good.Row;
                    fallback.Stage = ModelStage.Production;
                    fallback.PromotedAt = time.GetUtcNow();
                    stageTag.Apply(fallback);
                    entries.Add(Entry(AuditCodes.ModelPromoted, "model.promote", actor, client, fallback,
                        new() { ["from"] = "retired", ["reason"] = $"fallback after quarantine of version {version}" }));
                }

                if (chain.Succeeded)
                {
                    release = releases.Append(db, chain.Value, projectId, model, fallback is null ? ReleaseActions.Quarantine : ReleaseActions.Fallback,
                        fallback, found?.RootDigest, actor, time.GetUtcNow());
                    quarantined["release"] = release.Sequence;
                }
            }

            await audit.SaveChangesAsync(db, entries, ct);
            if (release is not null)
            {
                releases.Saw(release);
            }

            cache.Invalidate(projectId, model);
            return new Result(row, fallback, false);
        }
        finally
        {
            ModelRegistry.StageLock.Release();
        }
    }

    /// <summary>Returns a quarantined version to "retired" once its signature and every artifact verify again.</summary>
    public async Task<Outcome<ModelVersion>> ReinstateAsync(string projectId, string model, int version, string evidence, string actor, string? client, CancellationToken ct = default)
    {
        await ModelRegistry.StageLock.WaitAsync(ct);
        try
        {
            var row = await db.ModelVersions.IgnoreQueryFilters().FirstOrDefaultAsync(v => v.ProjectId == projectId && v.ModelName == model && v.Version == version, ct);
            if (row is null)
            {
                return RegistryErrors.NoVersion(model, version);
            }

            if (row.Stage != ModelStage.Quarantined)
            {
                return RegistryErrors.Stage($"Version {version} of '{model}' is {ModelRegistry.Name(row.Stage)}, not quarantined.");
            }

            var verification = await loader.VerifyOnlyAsync(row, ct);
            if (!verification.Valid)
            {
                await audit.AppendAsync(new AuditEntry(AuditCodes.ModelIntegrityFailure, "model.reinstate", actor, $"model/{model}/{version}", "failure", client,
                    new Dictionary<string, object?> { ["code"] = verification.Code, ["reason"] = verification.Detail }, projectId));
                return new Failure(verification.Code ?? RegistryErrors.SignatureInvalid, 409,
                    $"Version {version} of '{model}' still fails verification ({verification.Detail}); restore its artifacts first.");
            }

            row.Stage = ModelStage.Retired;
            stageTag.Apply(row);
            await audit.SaveChangesAsync(db, Entry(AuditCodes.ModelReinstated, "model.reinstate", actor, client, row,
                new() { ["evidence"] = evidence, ["manifestDigest"] = row.ManifestDigest }), ct);
            cache.Invalidate(projectId, model);
            return row;
        }
        finally
        {
            ModelRegistry.StageLock.Release();
        }
    }

    private async Task<(ModelVersion Row, string RootDigest)?> FindFallbackAsync(IEnumerable<ModelVersion> others, CancellationToken ct)
    {
        foreach (var candidate in others.Where(v => v.Stage == ModelStage.Retired && v.PromotedAt is not null).OrderByDescending(v => v.PromotedAt))
        {
            if (stageTag.Verify(candidate) && await loader.VerifyOnlyAsync(candidate, ct) is { Valid: true } verified)
            {
                return (candidate, verified.Manifest!.RootDigest);
            }
        }

        return null;
    }

    private static AuditEntry Entry(int code, string action, string actor, string? client, ModelVersion row, Dictionary<string, object?> details)
    {
        details["version"] = row.Version;
        details["to"] = ModelRegistry.Name(row.Stage);
        return new AuditEntry(code, action, actor, $"model/{row.ModelName}/{row.Version}", "success", client, details, row.ProjectId);
    }
}

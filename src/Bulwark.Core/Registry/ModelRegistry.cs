using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Serving;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Registry;

/// <summary>
/// Reads model versions and moves them between stages. At most one version per model is in production: promoting a
/// candidate retires the previous production version, and a retired version may be promoted again (rollback).
/// Stage changes and their audit events commit together, then the serving cache forgets the model. Every stage change
/// re-computes the row's <see cref="ModelStageTag"/>; a row whose tag does not verify (stage changed outside the registry)
/// is never reported as production and never moved: that is audited and answered with 503 registry.stage-tampered.
/// </summary>
/// <remarks>
/// The row's feature schema is sealed at rest (<see cref="Bulwark.Core.Datasets.SealedColumn"/>); single-version reads
/// refuse a row whose schema does not open (altered or swapped between rows) like any other integrity failure: audited
/// ModelIntegrityFailure, 503.
/// </remarks>
internal sealed class ModelRegistry(
    BulwarkDbContext db,
    AuditLedger audit,
    LoadedModelCache cache,
    ModelStageTag stageTag,
    EnvelopeEncryption sealer,
    TimeProvider time)
{
    // Serialises stage changes in this process so two concurrent promotions cannot both leave a production version.
    // A scaled-out deployment needs a partial unique index on (ModelName) WHERE Stage = 'Production' as well.
    internal static readonly SemaphoreSlim StageLock = new(1, 1);

    public async Task<IReadOnlyList<ModelVersion>> ListAsync(string? model, CancellationToken ct = default)
    {
        var query = db.ModelVersions.AsNoTracking();
        if (model is not null)
        {
            query = query.Where(v => v.ModelName == model);
        }

        return await query.OrderBy(v => v.ModelName).ThenBy(v => v.Version).ToListAsync(ct);
    }

    public async Task<Outcome<ModelVersion>> GetVersionAsync(string model, int version, CancellationToken ct = default)
    {
        var row = await db.ModelVersions.AsNoTracking().FirstOrDefaultAsync(v => v.ModelName == model && v.Version == version, ct);
        if (row is not null)
        {
            return await CheckSchemaAsync(row, "model.read");
        }

        return await db.ModelVersions.AnyAsync(v => v.ModelName == model, ct) ? RegistryErrors.NoVersion(model, version) : RegistryErrors.NoModel(model);
    }

    /// <summary>
    /// The production version, for readiness and metadata. All rows claiming production are checked, so a second,
    /// forged production row cannot hide behind the genuine one.
    /// </summary>
    public async Task<Outcome<ModelVersion>> GetProductionAsync(string model, CancellationToken ct = default)
    {
        var rows = await db.ModelVersions.AsNoTracking().Where(v => v.ModelName == model && v.Stage == ModelStage.Production).ToListAsync(ct);
        foreach (var forged in rows.Where(r => !stageTag.Verify(r)))
        {
            await audit.AppendAsync(ModelStageTag.TamperedEntry(forged, "model.read"));
            return RegistryErrors.Tampered(forged.ModelName, forged.Version);
        }

        if (rows.Count > 0)
        {
            return await CheckSchemaAsync(rows.MaxBy(r => r.PromotedAt)!, "model.read");
        }

        return await db.ModelVersions.AnyAsync(v => v.ModelName == model, ct)
            ? new Failure(RegistryErrors.VersionNotFound, 404, $"Model '{model}' has no production version.")
            : RegistryErrors.NoModel(model);
    }

    public async Task<Outcome<ModelVersion>> PromoteAsync(string model, int version, ModelStage target, string principal, string? client, CancellationToken ct = default)
    {
        await StageLock.WaitAsync(ct);
        try
        {
            var row = await db.ModelVersions.FirstOrDefaultAsync(v => v.ModelName == model && v.Version == version, ct);
            if (row is null)
            {
                return await db.ModelVersions.AnyAsync(v => v.ModelName == model, ct) ? RegistryErrors.NoVersion(model, version) : RegistryErrors.NoModel(model);
            }

            if (!stageTag.Verify(row))
            {
                return await RefuseTamperedAsync(row, principal, client);
            }

            var from = row.Stage;
            var allowed = (from, target) switch
            {
                (ModelStage.Candidate, ModelStage.Production) => true,
                (ModelStage.Retired, ModelStage.Production) => true,
                (ModelStage.Production, ModelStage.Retired) => true,
                _ => false,
            };
            if (!allowed)
            {
                return RegistryErrors.Stage($"Version {version} of '{model}' is {Name(from)}; it cannot become {Name(target)}.");
            }

            var now = time.GetUtcNow();
            var entries = new List<AuditEntry>();
            if (target == ModelStage.Production)
            {
                var current = await db.ModelVersions.Where(v => v.ModelName == model && v.Stage == ModelStage.Production).ToListAsync(ct);
                foreach (var forged in current.Where(p => !stageTag.Verify(p)))
                {
                    return await RefuseTamperedAsync(forged, principal, client);
                }

                foreach (var previous in current)
                {
                    previous.Stage = ModelStage.Retired;
                    stageTag.Apply(previous);
                    entries.Add(Entry(AuditCodes.ModelRetired, "model.retire", principal, client, previous, ModelStage.Production, $"replaced by version {version}"));
                }

                row.PromotedAt = now;
            }

            row.Stage = target;
            stageTag.Apply(row);
            entries.Insert(0, Entry(target == ModelStage.Production ? AuditCodes.ModelPromoted : AuditCodes.ModelRetired,
                target == ModelStage.Production ? "model.promote" : "model.retire", principal, client, row, from, null));
            await audit.SaveChangesAsync(db, entries, ct);
            cache.Invalidate(row.ProjectId, model);
            return row;
        }
        finally
        {
            StageLock.Release();
        }
    }

    /// <summary>The row's decrypted feature schema (display copy), or <see langword="null"/> if the sealed column does not open.</summary>
    public FeatureSchema? SchemaOf(ModelVersion row) => ModelVersionView.TrySchema(sealer, row);

    private async Task<Outcome<ModelVersion>> CheckSchemaAsync(ModelVersion row, string action)
    {
        if (SchemaOf(row) is not null)
        {
            return row;
        }

        const string reason = "The stored feature schema failed authenticated decryption.";
        await audit.AppendAsync(new AuditEntry(AuditCodes.ModelIntegrityFailure, action, "system", $"model/{row.ModelName}/{row.Version}", "failure",
            Details: new Dictionary<string, object?> { ["code"] = RegistryErrors.SignatureInvalid, ["reason"] = reason, ["versionId"] = row.Id.ToString("D") },
            ProjectId: row.ProjectId));
        return ServingErrors.Integrity(RegistryErrors.SignatureInvalid, row.ModelName, row.Version);
    }

    // Nothing has been modified yet when this runs, so the tracked rows are left as read and nothing is saved. The stage
    // is not repaired automatically: which value is genuine is for an operator to decide (the tag verifies for exactly one).
    private async Task<Failure> RefuseTamperedAsync(ModelVersion row, string principal, string? client)
    {
        await audit.AppendAsync(ModelStageTag.TamperedEntry(row, "model.promote", principal, client));
        return RegistryErrors.Tampered(row.ModelName, row.Version);
    }

    private static AuditEntry Entry(int code, string action, string principal, string? client, ModelVersion row, ModelStage from, string? reason) =>
        new(code, action, principal, $"model/{row.ModelName}/{row.Version}", "success", client, new Dictionary<string, object?>
        {
            ["version"] = row.Version,
            ["from"] = Name(from),
            ["to"] = Name(row.Stage),
            ["manifestDigest"] = row.ManifestDigest,
            ["reason"] = reason,
        }, row.ProjectId);

    /// <summary>Parses the wire names "candidate", "production", "retired" (exactly, lowercase).</summary>
    public static bool TryParseStage(string? name, out ModelStage stage)
    {
        (var ok, stage) = name switch
        {
            "candidate" => (true, ModelStage.Candidate),
            "production" => (true, ModelStage.Production),
            "retired" => (true, ModelStage.Retired),
            _ => (false, ModelStage.Candidate),
        };
        return ok;
    }

    /// <summary>The wire name of a stage: "candidate", "production", "retired" or "quarantined".</summary>
    public static string Name(ModelStage stage) => stage switch
    {
        ModelStage.Candidate => "candidate",
        ModelStage.Production => "production",
        ModelStage.Quarantined => "quarantined",
        _ => "retired",
    };
}

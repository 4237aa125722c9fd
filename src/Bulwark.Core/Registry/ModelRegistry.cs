using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Serving;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

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
    Projects.ProjectScope project,
    AuditLedger audit,
    LoadedModelCache cache,
    ModelStageTag stageTag,
    ModelReleaseLedger releases,
    ManifestSigner signer,
    PromotionGates gates,
    IOptions<RegistryOptions> options,
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
            var row = rows.MaxBy(r => r.PromotedAt)!;
            var chain = await releases.ReadAsync(db, row.ProjectId, model, ct);
            var reason = !chain.Succeeded ? chain.Failure.Detail
                : rows.Count > 1 ? "more than one version claims production"
                : ModelReleaseLedger.Mismatch(chain.Value, row);

            if (reason is not null)
            {
                await audit.AppendAsync(new AuditEntry(AuditCodes.ModelIntegrityFailure, "model.read", "system", $"model/{model}/{row.Version}", "failure",
                    Details: new Dictionary<string, object?> { ["code"] = RegistryErrors.ReleaseMismatch, ["reason"] = reason }, ProjectId: row.ProjectId));
                return new Failure(RegistryErrors.ReleaseMismatch, 503, $"Model '{model}' is not served: its production version is not the approved release.");
            }

            return await CheckSchemaAsync(row, "model.read");
        }

        return await db.ModelVersions.AnyAsync(v => v.ModelName == model, ct)
            ? new Failure(RegistryErrors.VersionNotFound, 404, $"Model '{model}' has no production version.")
            : RegistryErrors.NoModel(model);
    }

    public Task<Outcome<ModelVersion>> PromoteAsync(string model, int version, ModelStage target, string principal, string? client, CancellationToken ct = default) =>
        ChangeStageAsync(model, version, target, principal, client, ReleaseActions.Promote, null, ct);

    /// <summary>
    /// Puts back the version that was in production before the current one (the newest earlier entry of the release
    /// record whose version is retired and still verifies). It was approved when it first went to production, so no new
    /// approvals or gates are asked; the reason is recorded.
    /// </summary>
    public async Task<Outcome<ModelVersion>> RollbackAsync(string model, string principal, string? client, string reason, CancellationToken ct = default)
    {
        var target = await RollbackTargetAsync(model, principal, client, ct);
        return target.Succeeded ? await RollbackToAsync(target.Value, principal, client, reason, ct) : target.Failure;
    }

    /// <summary>The version a rollback would put back (so callers can authorize on it first), or why there is none.</summary>
    public async Task<Outcome<ModelVersion>> RollbackTargetAsync(string model, string principal, string? client, CancellationToken ct = default)
    {
        var chain = await releases.ReadAsync(db, project.Required, model, ct);
        if (!chain.Succeeded)
        {
            return await RefuseReleaseAsync(model, chain.Failure, principal, client);
        }

        var current = chain.Value.Count > 0 ? chain.Value[^1].VersionId : null;
        foreach (var entry in chain.Value.Reverse().Where(e => e.VersionId is not null && e.VersionId != current))
        {
            var row = await db.ModelVersions.AsNoTracking().FirstOrDefaultAsync(v => v.Id == entry.VersionId, ct);
            if (row is { Stage: ModelStage.Retired } && stageTag.Verify(row) && row.ManifestDigest == entry.ManifestDigest
                && !await WasQuarantinedAsync(row, ct))
            {
                return row;
            }
        }

        return await db.ModelVersions.AnyAsync(v => v.ModelName == model, ct)
            ? RegistryErrors.Stage($"Model '{model}' has no earlier production version that is retired and intact to roll back to.")
            : RegistryErrors.NoModel(model);
    }

    /// <summary>Puts <paramref name="target"/> (from <see cref="RollbackTargetAsync"/>) back in production.</summary>
    public Task<Outcome<ModelVersion>> RollbackToAsync(ModelVersion target, string principal, string? client, string reason, CancellationToken ct = default) =>
        ChangeStageAsync(target.ModelName, target.Version, ModelStage.Production, principal, client, ReleaseActions.Rollback, reason, ct);

    /// <summary>
    /// A version once quarantined (a suspected backdoor, a tampered artifact) never returns by rollback, even after it was
    /// reinstated: that takes a normal promotion, with gates and fresh approvals.
    /// </summary>
    private async Task<bool> WasQuarantinedAsync(ModelVersion row, CancellationToken ct)
    {
        var resource = $"model/{row.ModelName}/{row.Version}";
        return await db.AuditEvents.AsNoTracking().AnyAsync(e => e.ProjectId == row.ProjectId && e.Code == AuditCodes.ModelQuarantined && e.Resource == resource, ct);
    }

    /// <summary>Records <paramref name="principal"/>'s approval of a version for production (four eyes).</summary>
    public async Task<Outcome<ModelApproval>> ApproveAsync(string model, int version, string principal, string? comment, string? client, CancellationToken ct = default)
    {
        var row = await db.ModelVersions.AsNoTracking().FirstOrDefaultAsync(v => v.ModelName == model && v.Version == version, ct);
        if (row is null)
        {
            return await db.ModelVersions.AnyAsync(v => v.ModelName == model, ct) ? RegistryErrors.NoVersion(model, version) : RegistryErrors.NoModel(model);
        }

        if (row.Stage is not (ModelStage.Candidate or ModelStage.Staging or ModelStage.Retired))
        {
            return RegistryErrors.Stage($"Version {version} of '{model}' is {Name(row.Stage)}; only candidates, staged and retired versions are approved.");
        }

        var accountable = await Accountability.ResolveAsync(db, principal, ct);
        if ((await ProducersAsync(row, ct)).Contains(accountable))
        {
            await audit.AppendAsync(Entry(AuditCodes.ModelPromotionBlocked, "model.approve", principal, client, row, row.Stage, "self-approval", "denied"));
            return RegistryErrors.SelfApproval(model, version);
        }

        if (await db.ModelApprovals.AnyAsync(a => a.VersionId == row.Id && a.Accountable == accountable, ct))
        {
            return new Failure(RegistryErrors.AlreadyApproved, 409, $"Version {version} of '{model}' already has this approver's approval.");
        }

        var approval = new ModelApproval
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            ProjectId = row.ProjectId,
            VersionId = row.Id,
            Principal = principal,
            Accountable = accountable,
            Comment = comment,
            At = time.GetUtcNow(),
        };
        db.ModelApprovals.Add(approval);
        await audit.SaveChangesAsync(db, Entry(AuditCodes.ModelApproved, "model.approve", principal, client, row, row.Stage, null), ct);
        return approval;
    }

    public async Task<IReadOnlyList<ModelApproval>> ApprovalsAsync(Guid versionId, CancellationToken ct = default) =>
        await db.ModelApprovals.AsNoTracking().Where(a => a.VersionId == versionId).OrderBy(a => a.At).ToListAsync(ct);

    /// <summary>The verified release record of a model, oldest first.</summary>
    public Task<Outcome<IReadOnlyList<ModelRelease>>> ReleasesAsync(string model, CancellationToken ct = default) =>
        releases.ReadAsync(db, project.Required, model, ct);

    private async Task<Outcome<ModelVersion>> ChangeStageAsync(
        string model, int version, ModelStage target, string principal, string? client, string action, string? reason, CancellationToken ct)
    {
        // Gates score models and may take seconds: run them before taking the lock, against the production version of now.
        GateReport? gateReport = null;
        if (target is ModelStage.Staging or ModelStage.Production && action == ReleaseActions.Promote)
        {
            var candidate = await db.ModelVersions.AsNoTracking().FirstOrDefaultAsync(v => v.ModelName == model && v.Version == version, ct);
            if (candidate is not null && stageTag.Verify(candidate) && candidate.Stage is not (ModelStage.Production or ModelStage.Quarantined))
            {
                gateReport = await gates.EvaluateAsync(candidate, ct);
                if (!gateReport.Passed)
                {
                    await audit.AppendAsync(Entry(AuditCodes.ModelPromotionBlocked, "model.promote", principal, client, candidate, candidate.Stage,
                        "gates: " + string.Join("; ", gateReport.Failures), "denied"));
                    return RegistryErrors.GateFailed(model, version, gateReport);
                }
            }
        }

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
                (ModelStage.Candidate, ModelStage.Staging) => true,
                (ModelStage.Candidate, ModelStage.Production) => true,
                (ModelStage.Staging, ModelStage.Production) => true,
                (ModelStage.Retired, ModelStage.Production) => true,
                (ModelStage.Production, ModelStage.Retired) => true,
                (ModelStage.Staging, ModelStage.Retired) => true,
                (ModelStage.Candidate, ModelStage.Retired) => true,
                _ => false,
            };
            if (!allowed)
            {
                return RegistryErrors.Stage($"Version {version} of '{model}' is {Name(from)}; it cannot become {Name(target)}.");
            }

            if (target == ModelStage.Production && action == ReleaseActions.Promote && options.Value.RequireFourEyes
                && await FourEyesRefusalAsync(row, principal, ct) is { } refusal)
            {
                await audit.AppendAsync(Entry(AuditCodes.ModelPromotionBlocked, "model.promote", principal, client, row, from, refusal.Detail, "denied"));
                return refusal;
            }

            var now = time.GetUtcNow();
            var entries = new List<AuditEntry>();
            ModelRelease? release = null;
            if (target == ModelStage.Production || from == ModelStage.Production)
            {
                var chain = await releases.ReadAsync(db, row.ProjectId, model, ct);
                if (!chain.Succeeded)
                {
                    return await RefuseReleaseAsync(model, chain.Failure, principal, client);
                }

                var current = await db.ModelVersions.Where(v => v.ModelName == model && v.Stage == ModelStage.Production).ToListAsync(ct);
                foreach (var forged in current.Where(p => !stageTag.Verify(p)))
                {
                    return await RefuseTamperedAsync(forged, principal, client);
                }

                string? rootDigest = null;
                if (target == ModelStage.Production)
                {
                    var verified = (await signer.GetVerifierAsync(ct)).VerifyEnvelope(ModelVersionView.ManifestEnvelope(sealer, row));
                    if (!verified.Valid)
                    {
                        return ServingErrors.Integrity(RegistryErrors.SignatureInvalid, model, version);
                    }

                    rootDigest = verified.Manifest!.RootDigest;
                    foreach (var previous in current)
                    {
                        previous.Stage = ModelStage.Retired;
                        stageTag.Apply(previous);
                        entries.Add(Entry(AuditCodes.ModelRetired, "model.retire", principal, client, previous, ModelStage.Production, $"replaced by version {version}"));
                    }

                    row.PromotedAt = now;
                }

                release = releases.Append(db, chain.Value, row.ProjectId, model, target == ModelStage.Production ? action : ReleaseActions.Retire,
                    target == ModelStage.Production ? row : null, rootDigest, principal, now);
            }

            row.Stage = target;
            stageTag.Apply(row);
            var code = target switch
            {
                ModelStage.Production when action == ReleaseActions.Rollback => AuditCodes.ModelRolledBack,
                ModelStage.Production => AuditCodes.ModelPromoted,
                ModelStage.Staging => AuditCodes.ModelStaged,
                _ => AuditCodes.ModelRetired,
            };
            var verb = target switch
            {
                ModelStage.Production when action == ReleaseActions.Rollback => "model.rollback",
                ModelStage.Production or ModelStage.Staging => "model.promote",
                _ => "model.retire",
            };
            var main = Entry(code, verb, principal, client, row, from, reason);
            var details = (Dictionary<string, object?>)main.Details!;
            details["release"] = release?.Sequence;
            details["rootDigest"] = release?.RootDigest;
            if (gateReport is not null)
            {
                details["gates"] = gateReport.Summary;
            }

            entries.Insert(0, main);
            await audit.SaveChangesAsync(db, entries, ct);
            if (release is not null)
            {
                releases.Saw(release);
            }

            cache.Invalidate(row.ProjectId, model);
            return row;
        }
        finally
        {
            StageLock.Release();
        }
    }

    /// <summary>
    /// Null when enough distinct people other than the version's creator approve it: the promoter counts as one, each
    /// recorded approval as another; two are needed when the version learned from restricted data.
    /// </summary>
    internal async Task<Failure?> FourEyesRefusalAsync(ModelVersion row, string principal, CancellationToken ct)
    {
        var creators = await ProducersAsync(row, ct);
        var promoter = await Accountability.ResolveAsync(db, principal, ct);
        var approvers = (await db.ModelApprovals.AsNoTracking().Where(a => a.VersionId == row.Id).Select(a => a.Accountable).ToListAsync(ct))
            .ToHashSet(StringComparer.Ordinal);
        approvers.Add(promoter);
        approvers.ExceptWith(creators);
        var restricted = row.DatasetId is { } datasetId
            && await db.Datasets.AsNoTracking().AnyAsync(d => d.Id == datasetId && d.Classification == Datasets.DataClassification.Restricted, ct);
        var required = restricted ? 2 : 1;
        if (approvers.Count >= required)
        {
            return null;
        }

        return creators.Contains(promoter) && approvers.Count == 0
            ? RegistryErrors.SelfApproval(row.ModelName, row.Version)
            : new Failure(RegistryErrors.ApprovalRequired, 409,
                $"Version {row.Version} of '{row.ModelName}' needs {required} approver(s) other than whoever produced it{(restricted ? " (restricted training data)" : "")}; it has {approvers.Count}.");
    }

    /// <summary>
    /// Who produced a version, accountably: its creator, and for versions the system trained (retraining) whoever
    /// imported the training data, since choosing the data is what shaped the model.
    /// </summary>
    private async Task<List<string>> ProducersAsync(ModelVersion row, CancellationToken ct)
    {
        var producers = new List<string> { await Accountability.ResolveAsync(db, row.CreatedBy, ct) };
        if (row.CreatedBy.StartsWith("system:", StringComparison.Ordinal) && row.DatasetId is { } datasetId
            && await db.Datasets.AsNoTracking().Where(d => d.Id == datasetId).Select(d => d.CreatedBy).FirstOrDefaultAsync(ct) is { Length: > 0 } importer)
        {
            producers.Add(await Accountability.ResolveAsync(db, importer, ct));
        }

        return producers;
    }

    private async Task<Failure> RefuseReleaseAsync(string model, Failure failure, string principal, string? client)
    {
        await audit.AppendAsync(new AuditEntry(AuditCodes.ModelIntegrityFailure, "model.promote", principal, $"model/{model}", "failure", client,
            new Dictionary<string, object?> { ["code"] = failure.Code, ["reason"] = failure.Detail }, project.Required));
        return failure;
    }

    /// <summary>The row's decrypted feature schema (display copy), or <see langword="null"/> if the sealed column does not open.</summary>
    public FeatureSchema? SchemaOf(ModelVersion row) => ModelVersionView.TrySchema(sealer, row);

    /// <summary>The trusted external signer recorded in the row's signed manifest (display copy), if any.</summary>
    public string? ExternalSignerOf(ModelVersion row) => ModelVersionView.ExternalSigner(sealer, row);

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

    private static AuditEntry Entry(int code, string action, string principal, string? client, ModelVersion row, ModelStage from, string? reason, string outcome = "success") =>
        new(code, action, principal, $"model/{row.ModelName}/{row.Version}", outcome, client, new Dictionary<string, object?>
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
            "staging" => (true, ModelStage.Staging),
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
        ModelStage.Staging => "staging",
        ModelStage.Quarantined => "quarantined",
        _ => "retired",
    };
}

using Bulwark.Core.Audit;
using Bulwark.Core.Projects;
using Bulwark.Core.Registry;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Serving;

/// <summary>
/// Sets, clears and reports a model's challenger. A challenger takes real traffic, so it is held to what production is
/// held to: a staged or candidate version whose stage tag, signature and every artifact verify, newer than the production
/// version (no back door to an old version), that passes the model's promotion gates now, and, in split mode where it
/// answers callers, has the approvals four eyes asks of production. Every change and refusal is audited.
/// </summary>
internal sealed class ModelChallengers(
    BulwarkDbContext db,
    ProjectScope project,
    ModelRegistry registry,
    PromotionGates gates,
    ModelLoader loader,
    ModelStageTag stageTag,
    ChallengerTag tag,
    ChallengerRouter router,
    ChallengerComparer comparer,
    LoadedModelCache cache,
    AuditLedger audit,
    IOptions<ServingOptions> servingOptions,
    IOptions<RegistryOptions> registryOptions,
    TimeProvider time)
{
    /// <summary>What <c>GET …/challenger</c> shows: the champion, the configuration and whether it serves, and the live comparison.</summary>
    public sealed record Status(ModelVersion? Champion, ModelChallenger? Config, bool Active, string? InactiveReason, ChallengerComparison? Comparison);

    public async Task<Outcome<ModelChallenger>> SetAsync(string model, int version, string? mode, double? share, string principal, string? client, CancellationToken ct)
    {
        if (mode is not (ChallengerModes.Split or ChallengerModes.Shadow))
        {
            return ChallengerErrors.Bad("Mode must be 'split' or 'shadow'.");
        }

        var max = servingOptions.Value.MaxChallengerShare;
        if (mode == ChallengerModes.Split && (share is not { } s || !double.IsFinite(s) || s <= 0 || s > max))
        {
            return ChallengerErrors.Bad($"Split mode needs a share above 0 and at most {max:0.##}.");
        }

        if (mode == ChallengerModes.Shadow && share is { } given && given != 0)
        {
            return ChallengerErrors.Bad("Shadow mode answers no caller: leave the share out (or 0).");
        }

        var found = await registry.GetVersionAsync(model, version, ct);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var row = found.Value;
        if (!stageTag.Verify(row))
        {
            await audit.AppendAsync(ModelStageTag.TamperedEntry(row, "model.challenger", principal, client));
            return RegistryErrors.Tampered(model, version);
        }

        if (!ChallengerRouter.Eligible(row.Stage))
        {
            return await RefuseAsync(row, principal, client, mode, RegistryErrors.Stage(
                $"Version {version} of '{model}' is {ModelRegistry.Name(row.Stage)}; only staged and candidate versions can be challengers."));
        }

        var production = await registry.GetProductionAsync(model, ct);
        if (!production.Succeeded)
        {
            return production.Failure;
        }

        if (row.Version <= production.Value.Version)
        {
            return await RefuseAsync(row, principal, client, mode, new Failure(ChallengerErrors.NotNewer, 409,
                $"Version {version} of '{model}' is not newer than production (version {production.Value.Version}); a challenger must be."));
        }

        var verification = await loader.VerifyOnlyAsync(row, ct);
        if (!verification.Valid)
        {
            await audit.AppendAsync(new AuditEntry(AuditCodes.ModelIntegrityFailure, "model.challenger", principal, $"model/{model}/{version}", "failure", client,
                new Dictionary<string, object?> { ["code"] = verification.Code, ["reason"] = verification.Detail, ["versionId"] = row.Id.ToString("D") }, row.ProjectId));
            return await RefuseAsync(row, principal, client, mode, new Failure(verification.Code ?? RegistryErrors.SignatureInvalid, 422,
                $"Version {version} of '{model}' failed verification ({verification.Detail}); it cannot be a challenger."));
        }

        var report = await gates.EvaluateAsync(row, ct);
        if (!report.Passed)
        {
            return await RefuseAsync(row, principal, client, mode, RegistryErrors.GateFailed(model, version, report));
        }

        if (mode == ChallengerModes.Split && registryOptions.Value.RequireFourEyes && await registry.FourEyesRefusalAsync(row, principal, ct) is { } refusal)
        {
            return await RefuseAsync(row, principal, client, mode, refusal);
        }

        await ModelRegistry.StageLock.WaitAsync(ct);
        try
        {
            // Re-read under the lock: a promotion or quarantine may have moved the version while the gates ran.
            var current = await db.ModelVersions.AsNoTracking().FirstOrDefaultAsync(v => v.Id == row.Id, ct);
            if (current is null || !stageTag.Verify(current) || !ChallengerRouter.Eligible(current.Stage) || current.ManifestDigest != row.ManifestDigest)
            {
                return RegistryErrors.Stage($"Version {version} of '{model}' changed stage while it was being checked; try again.");
            }

            var config = await db.ModelChallengers.FirstOrDefaultAsync(c => c.ModelName == model, ct);
            var replaced = config?.Version;
            if (config is null)
            {
                config = new ModelChallenger { Id = Guid.CreateVersion7(time.GetUtcNow()), ProjectId = project.Required, ModelName = model };
                db.ModelChallengers.Add(config);
            }

            config.VersionId = row.Id;
            config.Version = row.Version;
            config.ManifestDigest = row.ManifestDigest;
            config.Mode = mode;
            config.Share = mode == ChallengerModes.Split ? share!.Value : 0;
            config.SetBy = principal;
            // Whole milliseconds: the tag must survive the store's timestamp encoding (SQLite keeps ticks / 1000).
            var now = time.GetUtcNow();
            config.SetAt = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
            tag.Apply(config);
            await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.ModelChallengerSet, "model.challenger-set", principal, $"model/{model}/{version}", "success", client,
                new Dictionary<string, object?>
                {
                    ["version"] = version,
                    ["mode"] = mode,
                    ["share"] = config.Share,
                    ["champion"] = production.Value.Version,
                    ["manifestDigest"] = row.ManifestDigest,
                    ["replaced"] = replaced,
                    ["gates"] = report.Summary,
                }, project.Required), ct);
            cache.ForgetChallenger(project.Required, model);
            return config;
        }
        finally
        {
            ModelRegistry.StageLock.Release();
        }
    }

    /// <summary>Removes the model's challenger; all traffic goes to the champion from the next request. False when none was set.</summary>
    public async Task<bool> ClearAsync(string model, string principal, string? client, CancellationToken ct)
    {
        var config = await db.ModelChallengers.FirstOrDefaultAsync(c => c.ModelName == model, ct);
        if (config is null)
        {
            return false;
        }

        db.ModelChallengers.Remove(config);
        await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.ModelChallengerCleared, "model.challenger-clear", principal, $"model/{model}/{config.Version}",
            "success", client, new Dictionary<string, object?> { ["version"] = config.Version, ["mode"] = config.Mode, ["share"] = config.Share }, project.Required), ct);
        cache.ForgetChallenger(project.Required, model);
        return true;
    }

    public async Task<Outcome<Status>> StatusAsync(string model, CancellationToken ct)
    {
        if (!await db.ModelVersions.AnyAsync(v => v.ModelName == model, ct))
        {
            return RegistryErrors.NoModel(model);
        }

        var production = await registry.GetProductionAsync(model, ct);
        var champion = production.Succeeded ? production.Value : null;
        var config = await db.ModelChallengers.AsNoTracking().FirstOrDefaultAsync(c => c.ModelName == model, ct);
        if (config is null)
        {
            return new Status(champion, null, false, null, null);
        }

        var route = await router.RouteAsync(project.Required, model, ct);
        var reason = route.InactiveReason
            ?? (champion is null ? "the model has no production version"
                : route.Row is { } r && r.Version <= champion.Version ? $"version {r.Version} is not newer than production (version {champion.Version})" : null);
        var comparison = champion is null ? null : await comparer.CompareAsync(champion, config, ct);
        return new Status(champion, config, reason is null && route.Active, reason, comparison);
    }

    private async Task<Failure> RefuseAsync(ModelVersion row, string principal, string? client, string mode, Failure failure)
    {
        await audit.AppendAsync(new AuditEntry(AuditCodes.ModelChallengerRefused, "model.challenger-set", principal, $"model/{row.ModelName}/{row.Version}", "denied",
            client, new Dictionary<string, object?> { ["version"] = row.Version, ["mode"] = mode, ["code"] = failure.Code, ["reason"] = failure.Detail }, row.ProjectId));
        return failure;
    }
}

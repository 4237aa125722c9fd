using System.Buffers;
using Bulwark.Core.Audit;
using Bulwark.Core.Identity;
using Bulwark.Core.Registry;
using Bulwark.Core.Storage;
using Bulwark.Core.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Serving;

/// <summary>
/// Serves predictions: resolves the version (production by default), gets the verified runtime, validates the body
/// against the signed feature schema, runs the model and hardens its output. Every served and every rejected request
/// is audited: served ones with an HMAC of the body and an output summary, never the raw inputs. A request for the
/// production version may be answered by the model's challenger instead (split mode) or copied to it (shadow mode);
/// see <see cref="ChallengerRoute"/>.
/// </summary>
internal sealed class PredictionService(
    LoadedModelCache cache,
    IDbContextFactory<BulwarkDbContext> contexts,
    AuditLedger audit,
    InputHasher hasher,
    ModelStageTag stageTag,
    ModelReleaseLedger releases,
    IOptions<ServingOptions> options,
    BulwarkMetrics metrics,
    ExtractionGuard guard,
    Monitoring.PredictionCapture capture,
    ChallengerRouter challengers,
    ShadowScorer shadows,
    TimeProvider time,
    ILogger<PredictionService> logger)
{
    private const int MaxAuditedRows = 100;

    public async Task<Outcome<PredictionResult>> PredictAsync(PredictionCall call, CancellationToken ct = default)
    {
        using var measurement = metrics.StartPrediction(call.Principal.ProjectId);
        var outcome = await ServeAsync(call, measurement, ct);
        measurement.Complete(outcome.Failure);
        return outcome;
    }

    private async Task<Outcome<PredictionResult>> ServeAsync(PredictionCall call, PredictionMeasurement measurement, CancellationToken ct)
    {
        var limits = options.Value;
        if (!call.Principal.Has(Permissions.Predict(call.ModelName)))
        {
            return await RejectAsync(call, null, new Failure("auth.forbidden", 403, $"The key may not predict with model '{Safe(call.ModelName)}'."));
        }

        if (call.Body.Length > limits.MaxBodyBytes)
        {
            return await RejectAsync(call, null, new Failure("request.body-too-large", 413, $"Prediction bodies are limited to {limits.MaxBodyBytes} bytes."));
        }

        var resolved = await ResolveAsync(call.Principal.ProjectId, call.ModelName, call.Version, ct);
        if (resolved.Succeeded && !MayServe(call.Principal, resolved.Value))
        {
            resolved = NotServable(call.ModelName, call.Version);
        }

        if (!resolved.Succeeded)
        {
            return await RejectAsync(call, null, resolved.Failure);
        }

        var predictionId = Guid.CreateVersion7(time.GetUtcNow());
        var champion = resolved.Value;
        var route = call.Version is null ? await challengers.RouteAsync(call.Principal.ProjectId, champion.ModelName, ct) : ChallengerRoute.None;

        // Anti-rollback holds for challengers too: only a version newer than production may take its traffic.
        var challenger = route.Active && route.Row!.Version > champion.Version ? route.Row : null;
        var split = challenger is not null && route.Config!.Mode == ChallengerModes.Split && ChallengerRoute.TakesChallenger(predictionId, route.Config.Share);

        // Integrity and load failures are audited by the loader (ModelIntegrityFailure); a challenger that fails them
        // leaves the request to the champion.
        var acquired = split ? await cache.AcquireAsync(challenger!, ct) : default;
        if (!split || !acquired.Succeeded)
        {
            split = false;
            acquired = await cache.AcquireAsync(champion, ct);
        }

        measurement.Resolved(champion.ModelName, split ? challenger!.Version : champion.Version);
        if (!acquired.Succeeded)
        {
            return acquired.Failure;
        }

        var model = acquired.Value;
        try
        {
            ExtractionGuard.Verdict? verdict = null;
            var outcome = Run(call, model, limits.MaxBatch, logger, batch =>
            {
                verdict = guard.Check(call.Principal.ProjectId, call.Principal.Id, model.ModelName, batch, model.Schema);
                return verdict.Refused ? ServingErrors.BudgetExhausted(model.ModelName, verdict.Budget, verdict.RetryAfter) : null;
            }, limits.OodActionFor(model.ModelName));
            if (verdict is { FirstExhaustion: true } or { ProbingDetected: true })
            {
                await AuditGuardAsync(call, model, verdict);
            }

            if (!outcome.Succeeded)
            {
                return await RejectAsync(call, model.Version, outcome.Failure);
            }

            var result = outcome.Value with { PredictionId = predictionId };
            if (result.OutOfDistribution is { } flagged)
            {
                await audit.AppendAsync(OutOfDistribution(call, model, flagged, result.Predictions.Count));
            }

            var body = Capture(call, model, result);
            if (body is not null && challenger is not null && route.Config!.Mode == ChallengerModes.Shadow)
            {
                shadows.TryEnqueue(new ShadowRequest(predictionId, call.Principal.ProjectId, champion.ModelName, challenger.Id, call.Protocol, body, call.Principal));
            }

            await audit.AppendAsync(Served(call, model, result, split));
            return result;
        }
        finally
        {
            model.Release();
        }
    }

    private async Task<Outcome<ModelVersion>> ResolveAsync(string projectId, string modelName, int? version, CancellationToken ct)
    {
        if (!Permissions.IsValidModelName(modelName))
        {
            return ServingErrors.NotReady("No such model.");
        }

        var key = LoadedModelCache.Key(projectId, modelName);
        if (cache.TryGetRow(key, version, out var cached))
        {
            return cached;
        }

        var generation = cache.Generation(key);
        await using var db = await contexts.CreateDbContextAsync(ct);

        // A pooled context outside the request scope: the caller's project is applied explicitly (model names are unique per project).
        var query = db.ModelVersions.IgnoreQueryFilters().AsNoTracking().Where(v => v.ProjectId == projectId && v.ModelName == modelName);
        var rows = version is null
            ? await query.Where(v => v.Stage == ModelStage.Production).ToListAsync(ct)
            : await query.Where(v => v.Version == version).ToListAsync(ct);

        // The stage decides what serves, and the manifest signature does not cover it: a row whose stage tag does not
        // verify (e.g. an old signed version set to production in SQL) is refused, audited and not cached. Every row
        // claiming production is checked, so a forged second production row is caught whichever one a query returns.
        foreach (var forged in rows.Where(r => !stageTag.Verify(r)))
        {
            ServingLog.IntegrityFailure(logger, forged.ModelName, forged.Version, RegistryErrors.StageTampered, "stage-tag");
            await audit.AppendAsync(ModelStageTag.TamperedEntry(forged, "model.resolve"));
            return RegistryErrors.Tampered(forged.ModelName, forged.Version);
        }

        var row = rows.MaxBy(r => r.PromotedAt);
        if (row?.Stage == ModelStage.Quarantined
            || row is null && version is null && await query.AnyAsync(v => v.Stage == ModelStage.Quarantined, ct))
        {
            // Containment took the version out of service and no good version could take its place: say so, so clients
            // and operators see an incident, not a missing model.
            return ServingErrors.Quarantined(modelName, row?.Version);
        }

        if (row is null || row.Stage == ModelStage.Retired)
        {
            return NotServable(modelName, version);
        }

        // Anti-rollback: a production row must be exactly the version the release record approves. A replayed row (an
        // older signed version with the stage tag it once had) passes the tag check but not this one.
        if (row.Stage == ModelStage.Production && await CheckReleaseAsync(db, row, ct) is { } refused)
        {
            return refused;
        }

        cache.SetRow(key, version, row, generation);
        return row;
    }

    private async Task<Failure?> CheckReleaseAsync(BulwarkDbContext db, ModelVersion row, CancellationToken ct)
    {
        var chain = await releases.ReadAsync(db, row.ProjectId, row.ModelName, ct);
        var reason = chain.Succeeded ? ModelReleaseLedger.Mismatch(chain.Value, row) : chain.Failure.Detail;
        if (reason is null)
        {
            return null;
        }

        ServingLog.IntegrityFailure(logger, row.ModelName, row.Version, RegistryErrors.ReleaseMismatch, reason);
        await audit.AppendAsync(new AuditEntry(AuditCodes.ModelIntegrityFailure, "model.resolve", "system", $"model/{row.ModelName}/{row.Version}", "failure",
            Details: new Dictionary<string, object?> { ["code"] = RegistryErrors.ReleaseMismatch, ["reason"] = reason, ["versionId"] = row.Id.ToString("D") },
            ProjectId: row.ProjectId));
        return new Failure(RegistryErrors.ReleaseMismatch, 503, $"Model '{row.ModelName}' is not served: its production version is not the approved release.");
    }

    private static Failure NotServable(string modelName, int? version) => ServingErrors.NotReady(version is null
        ? $"Model '{modelName}' has no production version."
        : $"Model '{modelName}' has no servable version {version}.");

    /// <summary>
    /// Production versions serve to every key allowed to predict with the model. A candidate (never promoted, so never
    /// reviewed) serves by explicit version only to keys that may also read the registry (shadow testing by the model's
    /// operators); a pure predict key gets the same 404 as for a missing version, so it cannot probe for candidates.
    /// The check runs on every call, also when the row came from the cache, which is shared by all principals.
    /// </summary>
    internal static bool MayServe(BulwarkPrincipal principal, ModelVersion row) => row.Stage switch
    {
        ModelStage.Production => true,
        ModelStage.Candidate or ModelStage.Staging => principal.Has(Permissions.ModelsRead),
        _ => false,
    };

    /// <summary>
    /// Parses, runs and hardens one request. A runtime fault (an ONNX Runtime or ML.NET error, or a non-finite output
    /// that <see cref="OutputHardener"/> refuses) becomes a 503 <c>serving.runtime-error</c> with a generic detail:
    /// the exception is logged, never shown, and the caller's audit records the rejection. Rows unlike the training data
    /// are refused (422) or reported on the result, as <paramref name="ood"/> says, for models with a reference profile.
    /// </summary>
    internal static Outcome<PredictionResult> Run(PredictionCall call, LoadedModel model, int maxBatch, ILogger logger,
        Func<ParsedBatch, Failure?>? admit = null, OutOfDistributionAction ood = OutOfDistributionAction.Off)
    {
        var parsed = PredictionRequestParser.Parse(call.Body.Span, call.Protocol, model.Index, maxBatch);
        if (!parsed.Succeeded)
        {
            return parsed.Failure;
        }

        using var batch = parsed.Value;

        // Valid input, before the model runs: the extraction guard may still refuse (budget) or flag (probing).
        if (admit?.Invoke(batch) is { } refused)
        {
            return refused;
        }

        // Still before the model runs: a model answers rows unlike anything it was trained on with unearned confidence.
        var unlike = ood != OutOfDistributionAction.Off ? model.OutOfDistribution?.Check(batch) : null;
        if (unlike is not null && ood == OutOfDistributionAction.Reject)
        {
            return ServingErrors.OutOfDistributionRefused(model.ModelName, unlike);
        }

        var schema = model.Schema;
        var rows = batch.Rows;
        var width = schema.VectorWidth;
        var outputWidth = model.Runtime.OutputWidth;
        // Parsing bounded rows by MaxBatch; checked still turns any overflow into an exception, never a short buffer.
        var features = ArrayPool<float>.Shared.Rent(checked(rows * width));
        var output = ArrayPool<float>.Shared.Rent(checked(rows * outputWidth));
        try
        {
            for (var r = 0; r < rows; r++)
            {
                FeatureVectorizer.WriteRow(schema, batch.NumericRow(r), batch.CategoricalRow(r), features.AsSpan(r * width, width));
            }

            RowPrediction[] predictions;
            try
            {
                model.Runtime.Predict(features.AsSpan(0, rows * width), rows, output.AsSpan(0, rows * outputWidth));
                predictions = OutputHardener.Harden(schema.Output, output.AsSpan(0, rows * outputWidth), rows, outputWidth, call.IncludeProbabilities);
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException))
            {
                ServingLog.PredictionFailed(logger, model.ModelName, model.Version, ex);
                return ServingErrors.RuntimeFailure(model.ModelName, model.Version);
            }

            return new PredictionResult(model.ModelName, model.Version, model.ManifestDigest, schema.Output.Task, predictions, batch.Id, schema.Output.Classes)
            {
                OutOfDistribution = unlike,
            };
        }
        finally
        {
            ArrayPool<float>.Shared.Return(features);
            ArrayPool<float>.Shared.Return(output);
        }
    }

    /// <summary>
    /// Queues the request for monitoring (sealed when written); never delays or fails the prediction. Returns the copied
    /// body when the request is captured (a shadow copy shares it), null when it is not.
    /// </summary>
    private byte[]? Capture(PredictionCall call, LoadedModel model, PredictionResult result)
    {
        if (!capture.Accepts(call.Body.Length))
        {
            return null;
        }

        var outputs = new Monitoring.CapturedOutput[result.Predictions.Count];
        for (var i = 0; i < outputs.Length; i++)
        {
            outputs[i] = Monitoring.CapturedOutput.Of(result.Predictions[i]);
        }

        var body = call.Body.ToArray();
        return capture.TryCapture(new Monitoring.PendingCapture(result.PredictionId, call.Principal.ProjectId, model.ModelName, model.Version, model.VersionId,
            call.Principal.Id, time.GetUtcNow(), call.Protocol == PredictionProtocol.OipV2 ? "oip-v2" : "v1", body, outputs)
        {
            Subject = call.Subject,
        }) ? body : null;
    }

    private AuditEntry Served(PredictionCall call, LoadedModel model, PredictionResult result, bool challenger)
    {
        var shown = result.Predictions.Take(MaxAuditedRows).ToList();
        var details = new Dictionary<string, object?>
        {
            ["version"] = model.Version,
            ["predictionId"] = result.PredictionId.ToString("D"),
            ["manifestDigest"] = model.ManifestDigest,
            ["protocol"] = call.Protocol == PredictionProtocol.OipV2 ? "oip-v2" : "v1",
            ["rows"] = result.Predictions.Count,
            ["inputHmac"] = hasher.Hash(call.Body.Span),
            ["truncated"] = result.Predictions.Count > MaxAuditedRows,
        };
        if (challenger)
        {
            details["challenger"] = true;
        }

        if (result.Task == "regression")
        {
            details["values"] = shown.Select(p => p.Value).ToArray();
        }
        else
        {
            details["labels"] = shown.Select(p => p.Label).ToArray();
            details["scores"] = shown.Select(p => p.Score).ToArray();
        }

        return new AuditEntry(AuditCodes.PredictionServed, "model.predict", call.Principal.Id, $"model/{model.ModelName}/{model.Version}", "success",
            call.ClientAddress, details, call.Principal.ProjectId);
    }

    /// <summary>One event per flagged request: how many rows and which features, never their values.</summary>
    private static AuditEntry OutOfDistribution(PredictionCall call, LoadedModel model, OutOfDistributionFinding finding, int rows) => new(
        AuditCodes.PredictionOutOfDistribution, "model.predict", call.Principal.Id, $"model/{model.ModelName}/{model.Version}", "flagged", call.ClientAddress,
        new Dictionary<string, object?>
        {
            ["model"] = model.ModelName,
            ["version"] = model.Version,
            ["flaggedRows"] = finding.FlaggedRows,
            ["rows"] = rows,
            ["firstRow"] = finding.FirstRow,
            ["reason"] = finding.Joint ? "joint" : "range",
            ["features"] = finding.Features.ToArray(),
        }, call.Principal.ProjectId);

    private Task AuditGuardAsync(PredictionCall call, LoadedModel model, ExtractionGuard.Verdict verdict) => audit.AppendAsync(verdict.ProbingDetected
        ? new AuditEntry(AuditCodes.ProbingDetected, "model.probing", call.Principal.Id, $"model/{model.ModelName}/{model.Version}", "failure", call.ClientAddress,
            new Dictionary<string, object?> { ["threshold"] = options.Value.ProbingThreshold, ["window"] = options.Value.ProbingWindow }, call.Principal.ProjectId)
        : new AuditEntry(AuditCodes.QueryBudgetExhausted, "model.budget", call.Principal.Id, $"model/{model.ModelName}/{model.Version}", "denied", call.ClientAddress,
            new Dictionary<string, object?> { ["budget"] = verdict.Budget, ["retryAfterSeconds"] = (long)verdict.RetryAfter.TotalSeconds }, call.Principal.ProjectId));

    private async Task<Failure> RejectAsync(PredictionCall call, int? version, Failure failure)
    {
        var details = new Dictionary<string, object?> { ["code"] = failure.Code, ["status"] = failure.Status, ["version"] = version ?? call.Version };
        if (failure.Extensions?.TryGetValue("row", out var row) == true)
        {
            details["row"] = row;
        }

        if (failure.Code == ServingErrors.OutOfDistribution && failure.Extensions?.TryGetValue("features", out var features) == true)
        {
            details["features"] = features;
        }

        await audit.AppendAsync(new AuditEntry(AuditCodes.PredictionRejected, "model.predict", call.Principal.Id, "model/" + Safe(call.ModelName),
            "failure", call.ClientAddress, details, call.Principal.ProjectId));
        return failure;
    }

    private static string Safe(string modelName) => Permissions.IsValidModelName(modelName) ? modelName : "?";
}

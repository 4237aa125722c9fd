using System.Globalization;
using System.Security.Cryptography;
using Bulwark.Core.Datasets;
using Bulwark.Core.Serving;
using Bulwark.Core.Storage;
using Bulwark.Core.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Registry;

/// <summary>
/// Evaluates the promotion gates configured for a model (<see cref="PromotionGateOptions"/>) against one version:
/// thresholds on the signed hold-out metrics; on the protected golden set, no regression against the current production
/// version and accuracy under bounded random perturbation; and for versions trained on restricted data, a loss-threshold
/// membership-inference attack (training rows vs golden rows) whose AUC must stay low. Models are loaded through the
/// verifying loader, so a gate never scores an unverified artifact. Scores are computed here, not taken from the caller.
/// </summary>
internal sealed class PromotionGates(
    BulwarkDbContext db,
    DatasetCatalog datasets,
    ModelLoader loader,
    ModelStageTag stageTag,
    IOptions<RegistryOptions> options)
{
    public async Task<GateReport> EvaluateAsync(ModelVersion candidate, CancellationToken ct)
    {
        if (options.Value.GatesFor(candidate.ProjectId, candidate.ModelName) is not { } gates)
        {
            return GateReport.None;
        }

        var results = new List<GateResult>();
        var loaded = await loader.LoadAsync(candidate, ct);
        if (!loaded.Succeeded)
        {
            return new([new GateResult("integrity", false, null, null, loaded.Failure.Detail)]);
        }

        var model = loaded.Value;
        try
        {
            var content = (await loader.VerifyOnlyAsync(candidate, ct)).Manifest?.Content;
            var metrics = content?.Metrics ?? new Dictionary<string, double>();
            foreach (var (metric, min) in gates.MinMetrics.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                results.Add(metrics.TryGetValue(metric, out var value)
                    ? new GateResult("min:" + metric, value >= min, value, min, $"{F(value)} (at least {F(min)})")
                    : new GateResult("min:" + metric, false, null, min, "the version records no such metric"));
            }

            foreach (var (metric, max) in gates.MaxMetrics.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                results.Add(metrics.TryGetValue(metric, out var value)
                    ? new GateResult("max:" + metric, value <= max, value, max, $"{F(value)} (at most {F(max)})")
                    : new GateResult("max:" + metric, false, null, max, "the version records no such metric"));
            }

            if (gates.GoldenDataset is { Length: > 0 } golden)
            {
                // Resolved in the candidate's own project only, whichever project the caller's scope is in.
                var inProject = db.Datasets.IgnoreQueryFilters().AsNoTracking().Where(d => d.ProjectId == candidate.ProjectId);
                var ids = Guid.TryParse(golden, out var id)
                    ? await inProject.Where(d => d.Id == id).Select(d => d.Id).ToListAsync(ct)
                    : await inProject.Where(d => d.Name == golden).Select(d => d.Id).Take(2).ToListAsync(ct);
                if (ids.Count == 1)
                {
                    await GoldenGatesAsync(candidate, model, content, gates, ids[0], results, ct);
                }
                else
                {
                    results.Add(new GateResult("golden-set", false, null, null, ids.Count == 0
                        ? $"the golden dataset '{golden}' does not exist in project '{candidate.ProjectId}'"
                        : $"more than one dataset in project '{candidate.ProjectId}' is named '{golden}': pin the golden set by dataset id"));
                }
            }
        }
        finally
        {
            model.Release();
        }

        return new GateReport(results);
    }

    private async Task GoldenGatesAsync(ModelVersion candidate, LoadedModel model, ManifestContent? content, PromotionGateOptions gates, Guid goldenId,
        List<GateResult> results, CancellationToken ct)
    {
        var golden = await datasets.LoadAsync(goldenId, ct);
        if (!golden.Succeeded)
        {
            results.Add(new GateResult("golden-set", false, null, null, $"the golden dataset cannot be read ({golden.Failure.Code})"));
            return;
        }

        var label = content?.Parameters?.GetValueOrDefault("label");
        var rows = GoldenRows.Build(golden.Value, model.Schema, label);
        if (!rows.Succeeded)
        {
            results.Add(new GateResult("golden-set", false, null, null, rows.Failure.Detail));
            return;
        }

        var set = rows.Value;
        var score = GateScoring.Score(model, set.Features, set.Count);
        var quality = GateScoring.Quality(model.Schema, score, set.Labels);

        var production = await db.ModelVersions.AsNoTracking()
            .Where(v => v.ModelName == candidate.ModelName && v.Stage == ModelStage.Production && v.Id != candidate.Id).ToListAsync(ct);
        var current = production.Where(stageTag.Verify).MaxBy(v => v.PromotedAt);
        if (current is not null)
        {
            var loadedCurrent = await loader.LoadAsync(current, ct);
            if (!loadedCurrent.Succeeded)
            {
                results.Add(new GateResult("golden-regression", false, null, null, "the production version cannot be loaded to compare against"));
            }
            else
            {
                try
                {
                    var currentRows = GoldenRows.Build(golden.Value, loadedCurrent.Value.Schema, label);
                    var baseline = currentRows.Succeeded
                        ? GateScoring.Quality(loadedCurrent.Value.Schema, GateScoring.Score(loadedCurrent.Value, currentRows.Value.Features, currentRows.Value.Count), currentRows.Value.Labels)
                        : double.NaN;
                    var floor = baseline - gates.MaxRegression;
                    results.Add(double.IsFinite(baseline)
                        ? new GateResult("golden-regression", quality >= floor, quality, floor,
                            $"{F(quality)} on the golden set against production version {current.Version}'s {F(baseline)} (tolerance {F(gates.MaxRegression)})")
                        : new GateResult("golden-regression", false, quality, null, "the production version cannot score the golden set"));
                }
                finally
                {
                    loadedCurrent.Value.Release();
                }
            }
        }
        else
        {
            results.Add(new GateResult("golden-set", true, quality, null, $"{F(quality)} on the golden set (no production version to compare against)"));
        }

        if (gates.RobustnessEpsilon > 0)
        {
            var noisy = GateScoring.Perturb(model.Schema, set.Features, set.Count, gates.RobustnessEpsilon, Seed(candidate.Id));
            var robust = GateScoring.Quality(model.Schema, GateScoring.Score(model, noisy, set.Count), set.Labels);
            results.Add(new GateResult("robustness", robust >= gates.MinRobustAccuracy, robust, gates.MinRobustAccuracy,
                $"{F(robust)} under ±{F(gates.RobustnessEpsilon)}σ noise (at least {F(gates.MinRobustAccuracy)})"));
        }

        if (candidate.DatasetId is { } trainingId
            && await db.Datasets.AsNoTracking().AnyAsync(d => d.Id == trainingId && d.Classification == DataClassification.Restricted, ct))
        {
            results.Add(await MembershipGateAsync(model, content, trainingId, set, gates, ct));
        }
    }

    private async Task<GateResult> MembershipGateAsync(LoadedModel model, ManifestContent? content, Guid trainingId, GoldenSet golden,
        PromotionGateOptions gates, CancellationToken ct)
    {
        const string gate = "membership-inference";
        var p = content?.Parameters;
        if (p is null || !p.TryGetValue("label", out var label) || !p.TryGetValue("seed", out var seedText)
            || !p.TryGetValue("holdout_fraction", out var fractionText)
            || !int.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            || !double.TryParse(fractionText, NumberStyles.Float, CultureInfo.InvariantCulture, out var fraction))
        {
            return new GateResult(gate, false, null, gates.MaxMembershipAuc, "the signed manifest does not say how the training rows were drawn");
        }

        var training = await datasets.LoadAsync(trainingId, ct);
        if (!training.Succeeded)
        {
            return new GateResult(gate, false, null, gates.MaxMembershipAuc, $"the training dataset cannot be read ({training.Failure.Code})");
        }

        // The same split the trainer drew (seeded), so the members are exactly the rows the model learned from.
        var request = new TrainingRequest(trainingId, label, content!.Task, content.Trainer ?? TrainingTasks.Sdca, fraction, seed,
            PositiveClass: p.GetValueOrDefault("positive_class"));
        var members = GoldenRows.Build(training.Value, model.Schema, label, TrainingData.Prepare(training.Value, request) is { Succeeded: true } prepared ? prepared.Value.Train : null);
        if (!members.Succeeded)
        {
            return new GateResult(gate, false, null, gates.MaxMembershipAuc, members.Failure.Detail);
        }

        var memberLoss = GateScoring.Losses(model.Schema, GateScoring.Score(model, members.Value.Features, members.Value.Count), members.Value.Labels);
        var outsiderLoss = GateScoring.Losses(model.Schema, GateScoring.Score(model, golden.Features, golden.Count), golden.Labels);
        var auc = GateScoring.AttackAuc(memberLoss, outsiderLoss);
        return new GateResult(gate, auc <= gates.MaxMembershipAuc, auc, gates.MaxMembershipAuc,
            $"loss-threshold attack AUC {F(auc)} (at most {F(gates.MaxMembershipAuc)})");
    }

    private static int Seed(Guid id) => BitConverter.ToInt32(SHA256.HashData(id.ToByteArray()), 0);

    private static string F(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}

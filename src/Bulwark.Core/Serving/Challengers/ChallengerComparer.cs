using System.Globalization;
using System.Security.Cryptography;
using Bulwark.Core.Crypto;
using Bulwark.Core.Monitoring;
using Bulwark.Core.Registry;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Serving;

/// <summary>
/// Compares champion and challenger on labelled feedback. Only labels the poisoning guard accepted count, and only
/// those given since the challenger was set. In split mode each side is scored on the requests it answered (disjoint
/// samples of the same traffic); in shadow mode both are scored on the same requests, the challenger through its shadow
/// capture of the champion's prediction id.
/// </summary>
internal sealed class ChallengerComparer(BulwarkDbContext db, FeedbackService feedback, EnvelopeEncryption sealer, IOptions<ServingOptions> options)
{
    public async Task<ChallengerComparison> CompareAsync(ModelVersion champion, ModelChallenger config, CancellationToken ct)
    {
        var labels = await db.FeedbackLabels.AsNoTracking()
            .Where(f => f.ModelName == config.ModelName && f.State == FeedbackStates.Accepted && f.At >= config.SetAt)
            .OrderByDescending(f => f.At).Take(ModelMonitor.MaxLabelsPerEvaluation).ToListAsync(ct);
        var ids = labels.Select(l => l.PredictionId).Distinct().ToList();
        var versions = new[] { champion.Id, config.VersionId };
        var captures = ids.Count == 0 ? [] : await db.CapturedPredictions.AsNoTracking()
            .Where(c => c.ModelName == config.ModelName && versions.Contains(c.VersionId) && (ids.Contains(c.Id) || (c.ShadowOf != null && ids.Contains(c.ShadowOf.Value))))
            .ToListAsync(ct);

        var answered = captures.Where(c => c.ShadowOf is null).ToDictionary(c => c.Id);
        var shadowed = captures.Where(c => c.ShadowOf is not null && c.VersionId == config.VersionId).GroupBy(c => c.ShadowOf!.Value).ToDictionary(g => g.Key, g => g.First());
        var opened = new Dictionary<Guid, CapturePayload?>();
        var championPairs = new List<(string Truth, string Served)>();
        var challengerPairs = new List<(string Truth, string Served)>();
        foreach (var label in labels)
        {
            string truth;
            try
            {
                truth = feedback.OpenLabel(label);
            }
            catch (CryptographicException)
            {
                continue;
            }

            if (answered.TryGetValue(label.PredictionId, out var capture) && Output(capture, label.Row, opened) is { } served)
            {
                (capture.VersionId == champion.Id ? championPairs : challengerPairs).Add((truth, served));
            }

            if (shadowed.TryGetValue(label.PredictionId, out var shadow) && Output(shadow, label.Row, opened) is { } shadowServed)
            {
                challengerPairs.Add((truth, shadowServed));
            }
        }

        var regression = ModelVersionView.TrySchema(sealer, champion)?.Output.Task == "regression";
        var championArm = Score(champion.Version, championPairs, regression);
        var challengerArm = Score(config.Version, challengerPairs, regression);
        var min = options.Value.ChallengerMinLabels;
        string? better = null;
        if (championArm.Labels >= min && challengerArm.Labels >= min)
        {
            var (a, b) = regression ? (-championArm.Rmse!.Value, -challengerArm.Rmse!.Value) : (championArm.Accuracy!.Value, challengerArm.Accuracy!.Value);
            better = a > b ? "champion" : b > a ? "challenger" : "tie";
        }

        var basis = config.Mode == ChallengerModes.Shadow ? "both scored on the same requests" : "each scored on the requests it answered";
        var note = better is null ? $"{basis}; each side needs at least {min} accepted labels to name a better model" : basis;
        return new ChallengerComparison(regression ? "rmse" : "accuracy", championArm, challengerArm, better, note);
    }

    private string? Output(CapturedPrediction capture, int row, Dictionary<Guid, CapturePayload?> opened)
    {
        if (!opened.TryGetValue(capture.Id, out var payload))
        {
            try
            {
                payload = CapturePayload.Open(sealer, capture);
            }
            catch (CryptographicException)
            {
                payload = null;
            }

            opened[capture.Id] = payload;
        }

        return payload is not null && row >= 0 && row < payload.Outputs.Count ? payload.Outputs[row].Text : null;
    }

    internal static ChallengerArm Score(int version, List<(string Truth, string Served)> pairs, bool regression)
    {
        if (pairs.Count == 0)
        {
            return new ChallengerArm(version, 0, null, null, null, null);
        }

        if (regression)
        {
            var errors = pairs.Select(p => double.Parse(p.Truth, CultureInfo.InvariantCulture) - double.Parse(p.Served, CultureInfo.InvariantCulture)).ToArray();
            return new ChallengerArm(version, pairs.Count, null, null, Math.Round(Math.Sqrt(errors.Average(e => e * e)), 6), Math.Round(errors.Average(Math.Abs), 6));
        }

        var accuracy = (double)pairs.Count(p => p.Truth == p.Served) / pairs.Count;

        // Macro F1 over every class that occurs as truth or as prediction.
        var classes = pairs.Select(p => p.Truth).Concat(pairs.Select(p => p.Served)).Distinct(StringComparer.Ordinal).ToArray();
        var f1 = classes.Average(c =>
        {
            var tp = pairs.Count(p => p.Truth == c && p.Served == c);
            var fp = pairs.Count(p => p.Truth != c && p.Served == c);
            var fn = pairs.Count(p => p.Truth == c && p.Served != c);
            return tp == 0 ? 0 : 2.0 * tp / ((2.0 * tp) + fp + fn);
        });
        return new ChallengerArm(version, pairs.Count, Math.Round(accuracy, 6), Math.Round(f1, 6), null, null);
    }
}

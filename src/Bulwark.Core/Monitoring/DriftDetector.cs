using Bulwark.Core.Serving;

namespace Bulwark.Core.Monitoring;

/// <summary>
/// Compares live data with a version's reference profile: per numeric feature PSI and Kolmogorov–Smirnov, per
/// categorical feature chi-square, and the same for the model's predictions (scores and predicted classes). Pure; the
/// caller decides where the live rows come from and what to do with the report.
/// </summary>
internal static class DriftDetector
{
    /// <summary>The report for <paramref name="rows"/> (feature name → number or category) and, optionally, the predictions served for them.</summary>
    public static DriftReport Compare(ReferenceProfile profile, IEnumerable<IReadOnlyDictionary<string, object?>> rows,
        IEnumerable<RowPrediction>? predictions = null, DriftThresholds? thresholds = null)
    {
        var sample = new LiveSample(profile);
        foreach (var row in rows)
        {
            sample.AddRow(row);
        }

        foreach (var prediction in predictions ?? [])
        {
            sample.AddPrediction(prediction);
        }

        return Compare(sample, thresholds);
    }

    public static DriftReport Compare(LiveSample sample, DriftThresholds? thresholds = null)
    {
        var limits = thresholds ?? DriftThresholds.Default;
        var profile = sample.Profile;
        var results = new List<DriftResult>(profile.Numeric.Count + profile.Categorical.Count);
        results.AddRange(profile.Numeric.Select(p => Numeric(p.Name, p, sample.Values(p.Name), limits)));
        results.AddRange(profile.Categorical.Select(p => Categorical(p.Name, p, sample.Categories(p.Name), limits)));

        DriftResult? predictions = null;
        if (profile.Predictions is { } reference && sample.Predictions > 0)
        {
            predictions = Numeric("prediction", reference.Scores, sample.Scores, limits);
            if (reference.Classes is { } classes && predictions.Status != DriftStatus.InsufficientData)
            {
                predictions = predictions with { ChiSquare = DriftStatistics.ChiSquare(classes, sample.Classes) };
            }
        }

        // Statuses once every test is known, so a per-report level can be split across them.
        var all = predictions is null ? results : [.. results, predictions];
        var tests = all.Sum(r => (r.KolmogorovSmirnov is null ? 0 : 1) + (r.ChiSquare is null ? 0 : 1));
        var share = limits.PerReport ? Math.Max(1, tests) : 1;
        var judged = all.Select(r => r with { Status = Judge(r, limits, share) }).ToList();
        var features = judged.Take(results.Count).ToList();
        var judgedPredictions = predictions is null ? null : judged[^1];
        var status = judged.Select(r => r.Status).DefaultIfEmpty(DriftStatus.InsufficientData).Max();
        return new DriftReport(sample.Rows, status, features, judgedPredictions);
    }

    private static DriftStatus Judge(DriftResult result, DriftThresholds limits, int tests)
    {
        if (result.Status == DriftStatus.InsufficientData)
        {
            return DriftStatus.InsufficientData;
        }

        if (result.Psi > limits.PsiAlert || result.KolmogorovSmirnov?.PValue < limits.KsAlpha / tests || result.ChiSquare?.PValue < limits.ChiSquareAlpha / tests)
        {
            return DriftStatus.Alert;
        }

        return result.Psi > limits.PsiWarn ? DriftStatus.Warn : DriftStatus.Ok;
    }

    private static DriftResult Numeric(string name, NumericProfile reference, ReadOnlySpan<double> live, DriftThresholds limits) =>
        live.Length < limits.MinRows
            ? new DriftResult(name, live.Length, DriftStatus.InsufficientData)
            : new DriftResult(name, live.Length, DriftStatus.Ok,
                Psi: DriftStatistics.PopulationStabilityIndex(reference, live), KolmogorovSmirnov: DriftStatistics.KolmogorovSmirnov(reference, live));

    private static DriftResult Categorical(string name, CategoricalProfile reference, IReadOnlyDictionary<string, int> live, DriftThresholds limits)
    {
        var count = live.Values.Sum();
        return count < limits.MinRows
            ? new DriftResult(name, count, DriftStatus.InsufficientData)
            : new DriftResult(name, count, DriftStatus.Ok, ChiSquare: DriftStatistics.ChiSquare(reference, live));
    }
}

using Bulwark.Core.Serving;

namespace Bulwark.Core.Monitoring;

/// <summary>
/// Compares live data with a version's reference profile: per numeric feature PSI and Kolmogorov–Smirnov, per
/// categorical feature chi-square, and the same for the model's predictions. Pure; the caller decides where the live
/// rows come from and what to do with the report.
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
                var chi = DriftStatistics.ChiSquare(classes, sample.Classes);
                predictions = predictions with
                {
                    ChiSquare = chi,
                    Status = chi.PValue < limits.ChiSquareAlpha ? DriftStatus.Alert : predictions.Status,
                };
            }
        }

        var all = predictions is null ? results : results.Append(predictions);
        var status = all.Select(r => r.Status).DefaultIfEmpty(DriftStatus.InsufficientData).Max();
        return new DriftReport(sample.Rows, status, results, predictions);
    }

    private static DriftResult Numeric(string name, NumericProfile reference, ReadOnlySpan<double> live, DriftThresholds limits)
    {
        if (live.Length < limits.MinRows)
        {
            return new DriftResult(name, live.Length, DriftStatus.InsufficientData);
        }

        var psi = DriftStatistics.PopulationStabilityIndex(reference, live);
        var ks = DriftStatistics.KolmogorovSmirnov(reference, live);
        var status = psi > limits.PsiAlert || ks.PValue < limits.KsAlpha ? DriftStatus.Alert
            : psi > limits.PsiWarn ? DriftStatus.Warn
            : DriftStatus.Ok;
        return new DriftResult(name, live.Length, status, Psi: psi, KolmogorovSmirnov: ks);
    }

    private static DriftResult Categorical(string name, CategoricalProfile reference, IReadOnlyDictionary<string, int> live, DriftThresholds limits)
    {
        var count = live.Values.Sum();
        if (count < limits.MinRows)
        {
            return new DriftResult(name, count, DriftStatus.InsufficientData);
        }

        var chi = DriftStatistics.ChiSquare(reference, live);
        return new DriftResult(name, count, chi.PValue < limits.ChiSquareAlpha ? DriftStatus.Alert : DriftStatus.Ok, ChiSquare: chi);
    }
}

namespace Bulwark.Core.Monitoring;

/// <summary>
/// Drift of a window's served inputs and predictions against the version's training reference profile
/// (<see cref="DriftDetector"/>: PSI and Kolmogorov–Smirnov for numeric features and scores, chi-square for categories
/// and predicted classes), in the report's terms: which test decided each level.
/// </summary>
internal static class DriftAnalysis
{
    public static (IReadOnlyList<FeatureDrift> Features, FeatureDrift? Predictions) Analyze(LiveSample sample, DriftThresholds thresholds)
    {
        var report = DriftDetector.Compare(sample, thresholds);
        return (report.Features.Select(Of).ToList(), report.Predictions is { } p ? Of(p) : null);
    }

    private static FeatureDrift Of(DriftResult r)
    {
        var level = r.Status switch
        {
            DriftStatus.Alert => DriftLevels.Alert,
            DriftStatus.Warn => DriftLevels.Warn,
            DriftStatus.Ok => DriftLevels.Ok,
            _ => DriftLevels.Insufficient,
        };

        // Name the statistic that carries the verdict: the smallest p-value test, else PSI.
        var (statistic, value, p) = r switch
        {
            { ChiSquare: { } c } when r.KolmogorovSmirnov is null || c.PValue <= r.KolmogorovSmirnov.PValue => ("chi2", c.Statistic, (double?)c.PValue),
            { KolmogorovSmirnov: { } k } when r.Psi is null || k.PValue < 0.01 => ("ks", k.Statistic, k.PValue),
            { Psi: { } psi } => ("psi", psi, r.KolmogorovSmirnov?.PValue),
            _ => ("none", 0.0, null),
        };
        return new FeatureDrift(r.Name, statistic, Math.Round(value, 6), p is null ? null : Math.Round(p.Value, 8), r.Psi is null ? null : Math.Round(r.Psi.Value, 6), level);
    }
}

namespace Bulwark.Core.Monitoring;

/// <summary>What one evaluation found: statistics and levels only, never input values.</summary>
internal sealed record MonitoringFindings(
    LiveMetric? Live,
    IReadOnlyList<FeatureDrift> Features,
    FeatureDrift? Predictions,
    IReadOnlyList<string> Alerts,
    IReadOnlyList<string> Notes);

/// <param name="Metric">"accuracy" for classification, "r2" for regression.</param>
/// <param name="Baseline">The signed hold-out value of the same metric, when the version records it.</param>
internal sealed record LiveMetric(string Metric, double Value, double? Baseline, int Labels, bool Alert);

/// <param name="Statistic">"psi", "ks" or "chi2" (the test deciding the level); <see cref="Psi"/> is reported for numeric features too.</param>
/// <param name="Level">"ok", "warn" or "alert".</param>
internal sealed record FeatureDrift(string Feature, string Statistic, double Value, double? PValue, double? Psi, string Level);

using System.ComponentModel.DataAnnotations;

namespace Bulwark.Core.Registry;

/// <summary>
/// What a version of one model must show before it may enter staging or production. Every gate is optional; a model
/// with none configured is promoted on four eyes alone. Metrics are the names the manifest records ("auc",
/// "accuracy", "f1", "rmse", …).
/// </summary>
public sealed class PromotionGateOptions
{
    /// <summary>Metric → smallest acceptable value, checked against the signed hold-out metrics (e.g. <c>auc: 0.9</c>).</summary>
    public Dictionary<string, double> MinMetrics { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Metric → largest acceptable value, for error metrics (e.g. <c>rmse: 12.5</c>).</summary>
    public Dictionary<string, double> MaxMetrics { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The protected golden dataset, by id or by name in the model's project: candidate and current production are both
    /// scored on it and the candidate may not be worse than production by more than <see cref="MaxRegression"/>.
    /// Datasets are immutable and the feedback loop never writes one, so nothing a caller sends can move this bar; a name
    /// that two datasets share fails the gate rather than picking one.
    /// </summary>
    public string? GoldenDataset { get; set; }

    /// <summary>Largest tolerated drop of the golden-set metric (accuracy, or R² for regression) against production.</summary>
    [Range(0.0, 1.0)]
    public double MaxRegression { get; set; } = 0.01;

    /// <summary>
    /// Robustness: each numeric feature of every golden row is moved by a uniform random amount of at most ε × its
    /// training standard deviation; the accuracy under that noise must stay at least <see cref="MinRobustAccuracy"/>.
    /// Zero turns the check off.
    /// </summary>
    [Range(0.0, 10.0)]
    public double RobustnessEpsilon { get; set; }

    [Range(0.0, 1.0)]
    public double MinRobustAccuracy { get; set; } = 0.8;

    /// <summary>
    /// Restricted training data: the AUC of a loss-threshold membership-inference attack (training rows vs golden rows)
    /// must not exceed this. Runs for every version trained on restricted data when a golden set is configured.
    /// </summary>
    [Range(0.5, 1.0)]
    public double MaxMembershipAuc { get; set; } = 0.6;
}

namespace Bulwark.Core.Monitoring;

/// <summary>
/// The joint shape of the numeric features, for the Mahalanobis distance
/// d(x) = √(zᵀ P z), z = (x − <paramref name="Mean"/>) / <paramref name="Scale"/>: rows whose features are each in
/// range but whose combination is unlike the training data (a large radius with a tiny area) get a large distance.
/// </summary>
/// <remarks>
/// P is the inverse of the features' correlation matrix shrunk towards the identity,
/// (1 − <paramref name="Ridge"/>)·C + <paramref name="Ridge"/>·I: never singular (collinear or constant-looking
/// features), and not dominated by directions the training rows barely vary in. <paramref name="Threshold"/> is
/// calibrated on distances of rows the fit did not see (5-fold cross-fitting over the training rows), because
/// in-sample distances are systematically smaller than those of new rows from the same population.
/// </remarks>
/// <param name="Features">The numeric features used, in schema order (zero-variance ones are left out).</param>
/// <param name="Precision">P, row-major, Features.Count².</param>
/// <param name="Threshold">A row farther than this is flagged.</param>
/// <param name="Quantile">The share of cross-fitted training distances at or below <paramref name="Threshold"/> (how the
/// threshold was chosen).</param>
internal sealed record MultivariateProfile(
    IReadOnlyList<string> Features,
    IReadOnlyList<double> Mean,
    IReadOnlyList<double> Scale,
    IReadOnlyList<double> Precision,
    double Ridge,
    double Threshold,
    double Quantile)
{
    /// <summary>Most numeric features in the joint model: the check costs O(d²) per row and the file O(d²) numbers.</summary>
    public const int MaxFeatures = 100;

    /// <summary>Fewest training rows for a joint model worth trusting (and for 5 folds of cross-fitting).</summary>
    public const int MinRows = 50;
}

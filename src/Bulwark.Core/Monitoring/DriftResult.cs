namespace Bulwark.Core.Monitoring;

/// <summary>Drift of one distribution (a feature, or the model's predictions) with the statistics that apply to it.</summary>
/// <param name="Name">The feature name, or "prediction".</param>
/// <param name="Count">Live values compared.</param>
/// <param name="Psi">Numeric: population stability index over the reference deciles.</param>
/// <param name="KolmogorovSmirnov">Numeric: against the reference quantile CDF.</param>
/// <param name="ChiSquare">Categorical (or predicted classes): live vs training counts.</param>
internal sealed record DriftResult(
    string Name,
    int Count,
    DriftStatus Status,
    double? Psi = null,
    KolmogorovSmirnovResult? KolmogorovSmirnov = null,
    ChiSquareResult? ChiSquare = null);

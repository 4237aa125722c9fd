namespace Bulwark.Core.Monitoring;

/// <param name="Statistic">D: the largest distance between the live and the reference CDF.</param>
/// <param name="PValue">Asymptotic p-value of D for the effective sample size m·n / (m + n).</param>
internal sealed record KolmogorovSmirnovResult(double Statistic, double PValue);

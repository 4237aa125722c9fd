namespace Bulwark.Core.Monitoring;

/// <param name="DegreesOfFreedom">Categories seen in either sample, minus one.</param>
internal sealed record ChiSquareResult(double Statistic, int DegreesOfFreedom, double PValue);

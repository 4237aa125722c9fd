namespace Bulwark.Core.Monitoring;

/// <summary>
/// When a distribution counts as drifted. The defaults are the customary ones: PSI below 0.1 is stable, 0.1–0.2 a
/// moderate shift worth a look (warn), above 0.2 a significant shift (alert) (Yurdakul, "Statistical Properties of
/// Population Stability Index", 2018); a Kolmogorov–Smirnov or chi-square p-value below 0.01 alerts.
/// </summary>
/// <param name="MinRows">Fewer live values than this give <see cref="DriftStatus.InsufficientData"/>: with n live rows and 10
/// bins, PSI under no drift is about 9/n by chance alone (0.09 at 100 rows), so smaller samples would warn on noise.</param>
/// <remarks>Each feature is tested on its own: with many features, expect the occasional p &lt; 0.01 by chance (1 in 100 per
/// feature and run) and look for drift that persists across runs.</remarks>
internal sealed record DriftThresholds(double PsiWarn = 0.1, double PsiAlert = 0.2, double KsAlpha = 0.01, double ChiSquareAlpha = 0.01, int MinRows = 100)
{
    public static readonly DriftThresholds Default = new();
}

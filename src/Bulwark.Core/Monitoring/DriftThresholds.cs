namespace Bulwark.Core.Monitoring;

/// <summary>
/// When a distribution counts as drifted. The defaults are the customary ones: PSI below 0.1 is stable, 0.1–0.2 a
/// moderate shift worth a look (warn), above 0.2 a significant shift (alert) (Yurdakul, "Statistical Properties of
/// Population Stability Index", 2018); a Kolmogorov–Smirnov or chi-square p-value below 0.01 alerts.
/// </summary>
/// <param name="MinRows">Fewer live values than this give <see cref="DriftStatus.InsufficientData"/>. With n live and N
/// training rows over 10 bins, PSI under no drift is about 9·(1/n + 1/N) by chance alone (Yurdakul 2018): 0.1 at 113
/// rows against 455, so small samples would warn, and often alert, on noise. From 200 rows a chance alert is ~1 in 1000
/// per feature.</param>
/// <param name="PerReport">True: <see cref="KsAlpha"/> and <see cref="ChiSquareAlpha"/> bound the chance of any false
/// alert in a whole report (Bonferroni: each p-value is compared with α divided by the number of tests in the report), so
/// a 30-feature model on an unshifted sample alerts about 1 time in 100, not 26. False: α per test.</param>
internal sealed record DriftThresholds(
    double PsiWarn = 0.1,
    double PsiAlert = 0.2,
    double KsAlpha = 0.01,
    double ChiSquareAlpha = 0.01,
    int MinRows = 200,
    bool PerReport = true)
{
    public static readonly DriftThresholds Default = new();
}

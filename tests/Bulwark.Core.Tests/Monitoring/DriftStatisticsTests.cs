using Bulwark.Core.Monitoring;
using static Bulwark.Core.Tests.Monitoring.MonitoringTestData;

namespace Bulwark.Core.Tests.Monitoring;

/// <summary>
/// The statistics against published values, and on seeded fixtures: a sample from the reference population does not
/// alert, a shifted one does.
/// </summary>
public sealed class DriftStatisticsTests
{
    private static NumericProfile Reference(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return NumericProfile.Fit("x", sorted);
    }

    private static readonly NumericProfile StandardNormal = Reference(Normal(seed: 1, count: 5000));

    [Theory]
    [InlineData(3.841459, 1, 0.05)]
    [InlineData(6.634897, 1, 0.01)]
    [InlineData(18.307038, 10, 0.05)]
    [InlineData(23.209251, 10, 0.01)]
    [InlineData(124.342113, 100, 0.05)]
    [InlineData(0.584375, 3, 0.90)]
    public void ChiSquarePValue_CriticalValuesFromTables_GiveTheirLevel(double statistic, int dof, double level) =>
        Assert.Equal(level, DriftStatistics.ChiSquarePValue(statistic, dof), 5);

    [Theory]
    [InlineData(1.358099, 0.05)]
    [InlineData(1.627624, 0.01)]
    [InlineData(1.223848, 0.10)]
    public void KolmogorovPValue_AsymptoticCriticalValues_GiveTheirLevel(double lambda, double level)
    {
        const double n = 1e12;   // large enough that Stephens' correction vanishes
        Assert.Equal(level, DriftStatistics.KolmogorovPValue(lambda / Math.Sqrt(n), n), 4);
    }

    [Fact]
    public void LogGamma_KnownValues()
    {
        Assert.Equal(Math.Log(Math.Sqrt(Math.PI)), SpecialFunctions.LogGamma(0.5), 12);
        Assert.Equal(Math.Log(362880), SpecialFunctions.LogGamma(10), 10);
        Assert.Equal(0, SpecialFunctions.LogGamma(1), 12);
    }

    [Fact]
    public void Psi_TrainingValuesThemselves_IsZero()
    {
        var values = Normal(seed: 1, count: 5000);

        Assert.Equal(0, DriftStatistics.PopulationStabilityIndex(StandardNormal, values), 10);
    }

    [Fact]
    public void Psi_UnshiftedSample_BelowWarn_ShiftedSample_AboveAlert()
    {
        var same = DriftStatistics.PopulationStabilityIndex(StandardNormal, Normal(seed: 2, count: 1000));
        var shifted = DriftStatistics.PopulationStabilityIndex(StandardNormal, Normal(seed: 3, count: 1000, mean: 0.6));

        Assert.InRange(same, 0, DriftThresholds.Default.PsiWarn);
        Assert.True(shifted > DriftThresholds.Default.PsiAlert, $"PSI {shifted}");
    }

    [Fact]
    public void KolmogorovSmirnov_UnshiftedSample_NotSignificant_ShiftedOrWidened_Significant()
    {
        var same = DriftStatistics.KolmogorovSmirnov(StandardNormal, Normal(seed: 2, count: 1000));
        var shifted = DriftStatistics.KolmogorovSmirnov(StandardNormal, Normal(seed: 3, count: 1000, mean: 0.2));
        var widened = DriftStatistics.KolmogorovSmirnov(StandardNormal, Normal(seed: 4, count: 1000, deviation: 1.3));

        Assert.True(same.PValue > DriftThresholds.Default.KsAlpha, $"D {same.Statistic}, p {same.PValue}");
        Assert.True(same.Statistic < 0.05);
        Assert.True(shifted.PValue < DriftThresholds.Default.KsAlpha, $"D {shifted.Statistic}, p {shifted.PValue}");
        Assert.True(widened.PValue < DriftThresholds.Default.KsAlpha, $"D {widened.Statistic}, p {widened.PValue}");
    }

    [Fact]
    public void KolmogorovSmirnov_ValuesWithManyTies_UnshiftedNotSignificant()
    {
        // Forty per cent zeros: the reference CDF jumps at 0, and so does the live ECDF; comparing them on the wrong side
        // of the jump would report a 0.4 difference that is not there.
        static double[] Clipped(int seed, int count) => [.. Normal(seed, count, mean: -0.25).Select(v => Math.Max(0, Math.Round(v, 2)))];
        var reference = Reference(Clipped(seed: 1, count: 5000));

        var same = DriftStatistics.KolmogorovSmirnov(reference, Clipped(seed: 2, count: 1000));
        var psi = DriftStatistics.PopulationStabilityIndex(reference, Clipped(seed: 2, count: 1000));

        Assert.True(reference.Quantiles[30] == 0 && reference.BinEdges[0] == 0);
        Assert.True(same.PValue > DriftThresholds.Default.KsAlpha, $"D {same.Statistic}, p {same.PValue}");
        Assert.InRange(psi, 0, DriftThresholds.Default.PsiWarn);
    }

    [Fact]
    public void ChiSquare_UnshiftedCategories_NotSignificant_ShiftedCategories_Significant()
    {
        var reference = new CategoricalProfile("region", 5000, Categories(1, 5000, ("north", 0.5), ("south", 0.3), ("west", 0.2)));

        var same = DriftStatistics.ChiSquare(reference, Categories(2, 1000, ("north", 0.5), ("south", 0.3), ("west", 0.2)));
        var shifted = DriftStatistics.ChiSquare(reference, Categories(3, 1000, ("north", 0.4), ("south", 0.3), ("west", 0.3)));

        Assert.Equal(2, same.DegreesOfFreedom);
        Assert.True(same.PValue > DriftThresholds.Default.ChiSquareAlpha, $"chi² {same.Statistic}, p {same.PValue}");
        Assert.True(shifted.PValue < DriftThresholds.Default.ChiSquareAlpha, $"chi² {shifted.Statistic}, p {shifted.PValue}");
    }

    [Fact]
    public void ChiSquare_CategoryNeverSeenInTraining_CountsAsDrift()
    {
        var reference = new CategoricalProfile("region", 1000, new Dictionary<string, int> { ["north"] = 600, ["south"] = 400 });

        var result = DriftStatistics.ChiSquare(reference, new Dictionary<string, int> { ["north"] = 120, ["south"] = 80, ["east"] = 50 });

        Assert.Equal(2, result.DegreesOfFreedom);
        Assert.True(result.PValue < 1e-6);
    }

    [Fact]
    public void Compare_SyntheticProfile_StatusFollowsTheThresholds()
    {
        var profile = new ReferenceProfile(ReferenceProfile.CurrentFormat, 5000, [StandardNormal],
            [new CategoricalProfile("region", 5000, Categories(1, 5000, ("north", 0.5), ("south", 0.5)))], null, null);
        static IEnumerable<IReadOnlyDictionary<string, object?>> Rows(double[] x, Dictionary<string, int> regions) =>
            x.Select((v, i) => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
            {
                ["x"] = v,
                ["region"] = i < regions["north"] ? "north" : "south",
            });

        var calm = DriftDetector.Compare(profile, Rows(Normal(2, 1000), Categories(2, 1000, ("north", 0.5), ("south", 0.5))));
        var drifted = DriftDetector.Compare(profile, Rows(Normal(3, 1000, mean: 0.6), Categories(3, 1000, ("north", 0.6), ("south", 0.4))));
        var psiOnly = DriftDetector.Compare(profile, Rows(Normal(4, 1000, mean: 0.35), Categories(4, 1000, ("north", 0.5), ("south", 0.5))),
            thresholds: DriftThresholds.Default with { KsAlpha = 0 });
        var few = DriftDetector.Compare(profile, Rows(Normal(5, 50, mean: 3), Categories(5, 50, ("north", 1.0))));

        Assert.Equal(DriftStatus.Ok, calm.Status);
        Assert.All(calm.Features, f => Assert.Equal(DriftStatus.Ok, f.Status));
        Assert.Equal(DriftStatus.Alert, drifted.Status);
        Assert.Equal(["x", "region"], drifted.AtLeast(DriftStatus.Alert).Select(f => f.Name));
        Assert.Equal(DriftStatus.Warn, psiOnly.Features[0].Status);
        Assert.InRange(psiOnly.Features[0].Psi!.Value, 0.1, 0.2);
        Assert.Equal(DriftStatus.InsufficientData, few.Status);
        Assert.Equal(50, few.Rows);
    }

    [Fact]
    public void Compare_ThirtyUnshiftedFeatures_NoAlert_OneShiftedAmongThem_AlertsAlone()
    {
        // Thirty tests at 1 % each would alert on an unshifted sample about a quarter of the time; the per-report level
        // keeps that at 1 %, and a real shift of 0.25 deviations in one feature still stands out.
        var names = Enumerable.Range(0, 30).Select(i => $"f{i}").ToArray();
        var profile = new ReferenceProfile(ReferenceProfile.CurrentFormat, 5000,
            [.. names.Select((n, i) => Reference(Normal(100 + i, 5000)) with { Name = n })], [], null, null);
        List<IReadOnlyDictionary<string, object?>> Rows(int seed, string? shifted) =>
        [
            .. Enumerable.Range(0, 1000).Select(r => (IReadOnlyDictionary<string, object?>)names.ToDictionary(n => n, n => (object?)0.0)),
        ];
        var calm = Rows(1, null);
        var drifted = Rows(2, "f17");
        for (var f = 0; f < names.Length; f++)
        {
            var (calmValues, driftValues) = (Normal(200 + f, 1000), Normal(300 + f, 1000, mean: names[f] == "f17" ? 0.25 : 0));
            for (var r = 0; r < 1000; r++)
            {
                ((Dictionary<string, object?>)calm[r])[names[f]] = calmValues[r];
                ((Dictionary<string, object?>)drifted[r])[names[f]] = driftValues[r];
            }
        }

        var calmReport = DriftDetector.Compare(profile, calm);
        var driftReport = DriftDetector.Compare(profile, drifted);

        Assert.NotEqual(DriftStatus.Alert, calmReport.Status);
        Assert.Equal(["f17"], driftReport.AtLeast(DriftStatus.Alert).Select(f => f.Name));
    }
}

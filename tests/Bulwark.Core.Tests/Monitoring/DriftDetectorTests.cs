using Bulwark.Core.Monitoring;
using Bulwark.Core.Serving;
using Bulwark.Core.Tests.Training;
using Bulwark.Core.Training;
using static Bulwark.Core.Tests.Monitoring.MonitoringTestData;

namespace Bulwark.Core.Tests.Monitoring;

/// <summary>Drift of the bundled model's hold-out rows, as served, against the profile the trainer fitted.</summary>
public sealed class DriftDetectorTests(BundledModelFixture fixture) : IClassFixture<BundledModelFixture>
{
    private static readonly string[] SizeFeatures = ["mean_radius", "mean_perimeter", "worst_radius", "worst_perimeter"];
    private static readonly string[] AreaFeatures = ["mean_area", "worst_area"];

    private FeatureSchema Schema => fixture.Model.FeatureSchema;

    /// <summary>Hold-out rows as name → value, with the tumours made 1.5 times larger when <paramref name="larger"/>.</summary>
    private List<Dictionary<string, double>> HoldOut(bool larger, string? diagnosis = null) => [.. fixture.Model.HoldoutRows
        .Where(i => diagnosis is null || fixture.Data.Find("diagnosis")!.TextAt(i) == diagnosis)
        .Select(i => Schema.Features.ToDictionary(
        f => f.Name,
        f => fixture.Data.Find(f.Name)!.Numbers![i] * (!larger ? 1 : SizeFeatures.Contains(f.Name) ? 1.5 : AreaFeatures.Contains(f.Name) ? 2.25 : 1),
        StringComparer.Ordinal))];

    /// <summary>What serving answers for the rows: the runtime's output, hardened.</summary>
    private RowPrediction[] Serve(List<Dictionary<string, double>> rows)
    {
        var width = Schema.VectorWidth;
        var features = new float[rows.Count * width];
        for (var r = 0; r < rows.Count; r++)
        {
            FeatureVectorizer.WriteRow(Schema, [.. Schema.Features.Select(f => rows[r][f.Name])], [], features.AsSpan(r * width, width));
        }

        using var runtime = new MlNetModelRuntime(fixture.Model.Files[ModelTrainer.ModelZip], Schema);
        var output = new float[rows.Count * runtime.OutputWidth];
        runtime.Predict(features, rows.Count, output);
        return OutputHardener.Harden(Schema.Output, output, rows.Count, runtime.OutputWidth, includeProbabilities: false);
    }

    private static IEnumerable<IReadOnlyDictionary<string, object?>> AsRows(List<Dictionary<string, double>> rows) =>
        rows.Select(r => (IReadOnlyDictionary<string, object?>)r.ToDictionary(p => p.Key, p => (object?)p.Value));

    [Fact]
    public void Compare_LargerTumours_AlertOnTheSizeFeatures_UnchangedFeaturesDoNot()
    {
        var profile = Profile(fixture.Model);
        var rows = HoldOut(larger: true);

        // The hold-out is 113 rows: below the default minimum for PSI, so the test lowers it.
        var report = DriftDetector.Compare(profile, AsRows(rows), Serve(rows), DriftThresholds.Default with { MinRows = 100 });

        Assert.Equal(DriftStatus.Alert, report.Status);
        foreach (var name in SizeFeatures.Concat(AreaFeatures))
        {
            var feature = report.Features.Single(f => f.Name == name);
            Assert.Equal(DriftStatus.Alert, feature.Status);
            Assert.True(feature.Psi > 0.2 && feature.KolmogorovSmirnov!.PValue < 0.01, $"{name}: PSI {feature.Psi}, p {feature.KolmogorovSmirnov?.PValue}");
        }

        Assert.True(report.Features.Single(f => f.Name == "mean_texture").KolmogorovSmirnov!.PValue > 0.01);
        Assert.True(report.Features.Single(f => f.Name == "mean_smoothness").KolmogorovSmirnov!.PValue > 0.01);

    }

    [Fact]
    public void Compare_OnlyMalignantPatients_PredictionDriftAlerts()
    {
        // A change in who is sent for diagnosis (only the malignant hold-out patients): every input is plausible, but
        // the model now predicts "malignant" far more often than on its training rows.
        var profile = Profile(fixture.Model);
        var rows = HoldOut(larger: false, diagnosis: "malignant");

        var report = DriftDetector.Compare(profile, AsRows(rows), Serve(rows), DriftThresholds.Default with { MinRows = 40 });

        var predictions = report.Predictions!;
        Assert.Equal(rows.Count, predictions.Count);
        Assert.Equal(DriftStatus.Alert, predictions.Status);
        Assert.True(predictions.ChiSquare!.PValue < 0.01, $"classes: chi² {predictions.ChiSquare.Statistic}, p {predictions.ChiSquare.PValue}");
        Assert.True(predictions.Psi > 0.2, $"score PSI {predictions.Psi}");
    }

    [Fact]
    public void Compare_HoldOutRowsAsServed_TooFewForTheDefaults_AndNoSignificantTestWithFewer()
    {
        var profile = Profile(fixture.Model);
        var rows = HoldOut(larger: false);

        var report = DriftDetector.Compare(profile, AsRows(rows), Serve(rows));
        var lowered = DriftDetector.Compare(profile, AsRows(rows), Serve(rows), DriftThresholds.Default with { MinRows = 100 });

        // 113 rows: PSI's chance level (~0.1) is the warn threshold itself, so by default nothing is concluded.
        Assert.Equal(rows.Count, report.Rows);
        Assert.Equal(DriftStatus.InsufficientData, report.Status);
        Assert.All(lowered.Features, f => Assert.True(f.KolmogorovSmirnov!.PValue > 0.01, $"{f.Name}: p {f.KolmogorovSmirnov.PValue}"));
        Assert.True(lowered.Predictions!.KolmogorovSmirnov!.PValue > 0.01);
        Assert.True(lowered.Predictions.ChiSquare!.PValue > 0.01);
    }

    [Fact]
    public void Profile_OfTheBundledModel_DescribesEveryFeatureAndThePredictions()
    {
        var profile = Profile(fixture.Model);
        var trainingRows = int.Parse(fixture.Model.Parameters["training_rows"], System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(trainingRows, profile.Rows);
        Assert.Equal(Schema.Features.Select(f => f.Name), profile.Numeric.Select(p => p.Name));
        Assert.All(profile.Numeric, p =>
        {
            Assert.Equal(NumericProfile.QuantileCount, p.Quantiles.Count);
            Assert.Equal(p.Min, p.Quantiles[0]);
            Assert.Equal(p.Max, p.Quantiles[^1]);
            Assert.Equal(1, p.BinProportions.Sum(), 9);
            Assert.Equal(p.BinEdges.Count + 1, p.BinProportions.Count);
        });
        Assert.Equal(30, profile.Multivariate!.Features.Count);
        Assert.Equal(30 * 30, profile.Multivariate.Precision.Count);
        Assert.True(profile.Multivariate.Threshold > 0);
        Assert.Equal("binary", profile.Predictions!.Task);
        Assert.Equal("malignant", profile.Predictions.PositiveClass);
        Assert.Equal(trainingRows, profile.Predictions.Classes!.Counts.Values.Sum());
        Assert.InRange(fixture.Model.Files[ReferenceProfile.FileName].Length, 1_000, 200_000);
    }
}

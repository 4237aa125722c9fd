using System.Globalization;
using System.Text;
using Bulwark.Core.Monitoring;
using Bulwark.Core.Tests.Datasets;
using Bulwark.Core.Tests.Training;
using Bulwark.Core.Training;

namespace Bulwark.Core.Tests.Monitoring;

/// <summary>What the trainer profiles for each task, and the bounds on the profile's size.</summary>
public sealed class ReferenceProfileBuilderTests
{
    [Fact]
    public void Train_Multiclass_ProfilesCategoriesAndPredictedClasses()
    {
        var data = DatasetTestData.Parse(TrainingTestData.MulticlassCsv(), "species");
        var model = ModelTrainer.Train(data, new TrainingRequest(Guid.Empty, "species", TrainingTasks.Multiclass, TrainingTasks.Sdca, 0.25, 5, TrainingTasks.MlNet)).Value!;

        var profile = MonitoringTestData.Profile(model);

        var shape = Assert.Single(profile.Categorical);
        Assert.Equal("shape", shape.Name);
        Assert.Equal(["flat", "long", "round"], shape.Counts.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(profile.Rows, shape.Counts.Values.Sum());
        Assert.Equal("multiclass", profile.Predictions!.Task);
        Assert.Null(profile.Predictions.PositiveClass);
        Assert.Equal(["alpha", "beta", "gamma"], profile.Predictions.Classes!.Counts.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(profile.Rows, profile.Predictions.Classes.Counts.Values.Sum());
        Assert.InRange(profile.Predictions.Scores.Min, 0, 1);
        Assert.InRange(profile.Predictions.Scores.Max, 0, 1);
    }

    [Fact]
    public void Train_Regression_ProfilesPredictedValues()
    {
        var data = DatasetTestData.Parse(TrainingTestData.RegressionCsv(), "y");
        var model = ModelTrainer.Train(data, new TrainingRequest(Guid.Empty, "y", TrainingTasks.Regression, TrainingTasks.Sdca, 0.25, 5, TrainingTasks.MlNet)).Value!;

        var profile = MonitoringTestData.Profile(model);

        Assert.Equal("regression", profile.Predictions!.Task);
        Assert.Null(profile.Predictions.Classes);
        // y = 3·x1 − 2·x2 + 5 (+1) with x1 ∈ [0, 10], x2 ∈ [0, 5]: predictions span most of [−5, 36].
        Assert.InRange(profile.Predictions.Scores.Min, -10, 10);
        Assert.InRange(profile.Predictions.Scores.Max, 20, 45);
        Assert.NotNull(profile.Multivariate);
    }

    [Fact]
    public void Train_SameDataAndSeed_SameProfileBytes()
    {
        var data = DatasetTestData.Parse(TrainingTestData.BinaryCsv(), "outcome");
        var request = new TrainingRequest(Guid.Empty, "outcome", TrainingTasks.Binary, TrainingTasks.Sdca, 0.25, 5, TrainingTasks.MlNet);

        var first = ModelTrainer.Train(data, request).Value!.Files[ReferenceProfile.FileName];
        var second = ModelTrainer.Train(data, request).Value!.Files[ReferenceProfile.FileName];

        Assert.Equal(first, second);
    }

    [Fact]
    public void Fit_MoreNumericFeaturesThanTheJointCap_RangesKeptJointModelDropped_SizeBounded()
    {
        // 120 numeric columns: every one keeps its range check and drift profile; the joint model, O(d²) per served row
        // and in the file, is left out above 100 features.
        const int columns = 120, rows = 80;
        var random = SeededRandom.Create(9);
        var csv = new StringBuilder(string.Join(',', Enumerable.Range(0, columns).Select(i => $"f{i}")) + ",label\n");
        for (var r = 0; r < rows; r++)
        {
#pragma warning disable CA5394 // test data, not security
            csv.Append(string.Join(',', Enumerable.Range(0, columns).Select(_ => random.NextDouble().ToString("F4", CultureInfo.InvariantCulture))));
#pragma warning restore CA5394
            csv.Append(r % 2 == 0 ? ",yes\n" : ",no\n");
        }

        var data = DatasetTestData.Parse(csv.ToString(), "label");
        var prepared = TrainingData.Prepare(data, new TrainingRequest(Guid.Empty, "label", TrainingTasks.Binary, TrainingTasks.Sdca, 0.2, 1, TrainingTasks.MlNet)).Value!;

        var profile = ReferenceProfileBuilder.Fit(data, prepared.Schema, prepared.Train, new float[prepared.Train.Length], 1);

        Assert.Equal(columns, profile.Numeric.Count);
        Assert.Null(profile.Multivariate);
        Assert.InRange(profile.ToJsonBytes().Length, 1, columns * 6_000);
        Assert.NotNull(ReferenceProfile.Read(profile.ToJsonBytes(), prepared.Schema, out var problem));
        Assert.Null(problem);
    }

    [Fact]
    public void SampleRows_LargeTrainingSet_SeededSampleOfTheCap()
    {
        var train = Enumerable.Range(0, ReferenceProfile.MaxRows * 2).ToArray();

        var first = ReferenceProfileBuilder.SampleRows(train, 3);
        var again = ReferenceProfileBuilder.SampleRows(train, 3);

        Assert.Equal(ReferenceProfile.MaxRows, first.Length);
        Assert.Equal(first, again);
        Assert.Equal(first.Length, first.Distinct().Count());
        Assert.Equal(train[..100], ReferenceProfileBuilder.SampleRows(train[..100], 3));
    }
}

using Bulwark.Core.Datasets;
using Bulwark.Core.Serving;
using Bulwark.Core.Tests.Datasets;
using Bulwark.Core.Training;

namespace Bulwark.Core.Tests.Training;

/// <summary>Multiclass, regression and request validation on small generated data.</summary>
public sealed class ModelTrainerTests
{
    private static readonly LoadedDataset Multiclass = DatasetTestData.Parse(TrainingTestData.MulticlassCsv(), "species");
    private static readonly LoadedDataset Regression = DatasetTestData.Parse(TrainingTestData.RegressionCsv(), "y");
    private static readonly LoadedDataset BinarySmall = DatasetTestData.Parse(TrainingTestData.BinaryCsv(), "outcome");

    private static TrainingRequest Request(string label, string task, string trainer = TrainingTasks.Sdca, string runtime = TrainingTasks.MlNet) =>
        new(Guid.Empty, label, task, trainer, 0.25, 5, runtime);

    [Fact]
    public void Train_MulticlassSdcaWithOnnx_LearnsAndExportAgrees()
    {
        var outcome = ModelTrainer.Train(Multiclass, Request("species", TrainingTasks.Multiclass, runtime: TrainingTasks.Onnx));

        Assert.True(outcome.Succeeded, outcome.Failure?.Detail);
        var model = outcome.Value;
        Assert.InRange(model.Metrics["accuracy"], 0.9, 1.0);
        Assert.InRange(model.Metrics["macro_f1"], 0.9, 1.0);
        Assert.Contains("log_loss", model.Metrics.Keys);
        Assert.Equal(["alpha", "beta", "gamma"], model.FeatureSchema.Output.Classes);
        Assert.Equal(2 + 3, model.FeatureSchema.VectorWidth); // two numeric + three one-hot shapes
        Assert.Equal(["flat", "long", "round"], model.FeatureSchema.Features.Single(f => f.Kind == FeatureKind.Categorical).Categories);
        Assert.Equal("Score.output", model.FeatureSchema.Output.OnnxOutput);

        var rows = model.HoldoutRows;
        var vectors = TrainingTestData.Vectors(Multiclass, model.FeatureSchema, rows);
        var mlnet = TrainingTestData.PredictMlNet(model, vectors, rows.Count);
        var onnx = TrainingTestData.PredictOnnx(model, vectors, rows.Count);
        Assert.Equal(rows.Count * 3, mlnet.Length);
        Assert.Equal(mlnet.Length, onnx.Length);
        Assert.All(Enumerable.Range(0, mlnet.Length), i => Assert.True(Math.Abs(mlnet[i] - onnx[i]) < 1e-4, $"{mlnet[i]} vs {onnx[i]}"));

        // Accuracy through the runtime (argmax of the score vector, in class order) matches the reported metric.
        var labels = Multiclass.Find("species")!.Values!;
        var classes = model.FeatureSchema.Output.Classes!;
        var correct = rows.Select((row, i) => classes[ArgMax(mlnet.AsSpan(i * 3, 3))] == labels[row]).Count(ok => ok);
        Assert.Equal(model.Metrics["accuracy"], (double)correct / rows.Count, 2);
    }

    [Theory]
    [InlineData(TrainingTasks.FastTree)]
    [InlineData(TrainingTasks.LightGbm)]
    public void Train_MulticlassTreeTrainers_Learn(string trainer)
    {
        var outcome = ModelTrainer.Train(Multiclass, Request("species", TrainingTasks.Multiclass, trainer));

        Assert.True(outcome.Succeeded, outcome.Failure?.Detail);
        Assert.InRange(outcome.Value.Metrics["accuracy"], 0.8, 1.0);
        using var runtime = new MlNetModelRuntime(outcome.Value.Files[ModelTrainer.ModelZip], outcome.Value.FeatureSchema);
        Assert.Equal(3, runtime.OutputWidth);
    }

    [Theory]
    [InlineData(TrainingTasks.Sdca, TrainingTasks.Onnx)]
    [InlineData(TrainingTasks.FastTree, TrainingTasks.MlNet)]
    [InlineData(TrainingTasks.LightGbm, TrainingTasks.MlNet)]
    public void Train_Regression_FitsTheGeneratingFunction(string trainer, string runtime)
    {
        var outcome = ModelTrainer.Train(Regression, Request("y", TrainingTasks.Regression, trainer, runtime));

        Assert.True(outcome.Succeeded, outcome.Failure?.Detail);
        var model = outcome.Value;
        Assert.True(model.Metrics["r2"] > (trainer == TrainingTasks.Sdca ? 0.98 : 0.8), $"r2 {model.Metrics["r2"]}");
        Assert.True(model.Metrics["rmse"] >= model.Metrics["mae"]);
        Assert.Null(model.FeatureSchema.Output.Classes);

        var rows = model.HoldoutRows;
        var vectors = TrainingTestData.Vectors(Regression, model.FeatureSchema, rows);
        var predicted = TrainingTestData.PredictMlNet(model, vectors, rows.Count);
        var truth = Regression.Find("y")!.Numbers!;
        var rmse = Math.Sqrt(rows.Select((row, i) => Math.Pow(predicted[i] - truth[row], 2)).Average());
        Assert.Equal(model.Metrics["rmse"], rmse, 3);
        if (runtime == TrainingTasks.Onnx)
        {
            var onnx = TrainingTestData.PredictOnnx(model, vectors, rows.Count);
            Assert.All(Enumerable.Range(0, rows.Count), i => Assert.True(Math.Abs(predicted[i] - onnx[i]) < 1e-3, $"{predicted[i]} vs {onnx[i]}"));
        }
    }

    [Fact]
    public void Train_NegativeNumericFeature_GetsSymmetricMargin()
    {
        var data = DatasetTestData.Parse(string.Concat(["t,label\n", .. Enumerable.Range(0, 20).Select(i => $"{i - 10},{(i % 2 == 0 ? "a" : "b")}\n")]), "label");

        var prepared = TrainingData.Prepare(data, Request("label", TrainingTasks.Binary));

        var feature = Assert.Single(prepared.Value!.Schema.Features);
        Assert.Equal(-10 - 19, feature.Min); // min − span
        Assert.Equal(9 + 19, feature.Max); // max + span
    }

    [Theory]
    [InlineData("species", TrainingTasks.Binary, "exactly 2")] // three classes
    [InlineData("shape", TrainingTasks.Regression, "numeric label")]
    [InlineData("nope", TrainingTasks.Binary, "no column")]
    public void Train_LabelUnfitForTask_FailsWithInvalidRequest(string label, string task, string detail)
    {
        var outcome = ModelTrainer.Train(Multiclass, Request(label, task));

        Assert.Equal(TrainingErrors.InvalidRequest, outcome.Failure?.Code);
        Assert.Contains(detail, outcome.Failure!.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ranking", TrainingTasks.Sdca, TrainingTasks.MlNet, 0.2)]
    [InlineData(TrainingTasks.Binary, "xgboost", TrainingTasks.MlNet, 0.2)]
    [InlineData(TrainingTasks.Binary, TrainingTasks.Sdca, "pickle", 0.2)]
    [InlineData(TrainingTasks.Binary, TrainingTasks.Sdca, TrainingTasks.MlNet, 0.0)]
    [InlineData(TrainingTasks.Binary, TrainingTasks.Sdca, TrainingTasks.MlNet, 0.51)]
    [InlineData(TrainingTasks.Binary, TrainingTasks.Sdca, TrainingTasks.MlNet, double.NaN)]
    public void ValidateShape_UnknownOrOutOfRange_Fails(string task, string trainer, string runtime, double fraction)
    {
        var failure = ModelTrainer.ValidateShape(new TrainingRequest(Guid.Empty, "y", task, trainer, fraction, 1, runtime));

        Assert.Equal(TrainingErrors.InvalidRequest, failure?.Code);
        Assert.Equal(400, failure!.Status);
    }

    [Fact]
    public void MacroF1_KnownConfusionMatrix_MatchesHandComputation()
    {
        // class 0: tp 8, fn 2, fp 1 → 16/19; class 1: tp 5, fn 1, fp 2 → 10/13
        double[][] counts = [[8, 2], [1, 5]];

        var f1 = ModelEvaluator.MacroF1(counts);

        Assert.Equal((16.0 / 19 + 10.0 / 13) / 2, f1, 12);
    }

    private static int ArgMax(ReadOnlySpan<float> scores)
    {
        var best = 0;
        for (var i = 1; i < scores.Length; i++)
        {
            if (scores[i] > scores[best])
            {
                best = i;
            }
        }

        return best;
    }

    [Fact]
    public void Train_ReportsProgressInOrder()
    {
        var steps = new List<TrainingProgress>();

        var outcome = ModelTrainer.Train(Regression, Request("y", TrainingTasks.Regression, TrainingTasks.LightGbm), new Recorder(steps));

        Assert.True(outcome.Succeeded);
        Assert.Equal([0.2, 0.3, 0.8, 0.9, 0.95], steps.Select(s => s.Fraction));
    }

    private sealed class Recorder(List<TrainingProgress> steps) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => steps.Add(value);
    }

    [Theory]
    [InlineData(TrainingTasks.Binary, TrainingTasks.Sdca)]
    [InlineData(TrainingTasks.Binary, TrainingTasks.FastTree)]
    [InlineData(TrainingTasks.Binary, TrainingTasks.LightGbm)]
    [InlineData(TrainingTasks.Multiclass, TrainingTasks.FastTree)]
    [InlineData(TrainingTasks.Multiclass, TrainingTasks.LightGbm)]
    [InlineData(TrainingTasks.Regression, TrainingTasks.FastTree)]
    [InlineData(TrainingTasks.Regression, TrainingTasks.LightGbm)]
    public void OnnxExport_EveryTrainer_AgreesWithMlNet(string task, string trainer)
    {
        var (data, label) = task switch
        {
            TrainingTasks.Binary => (BinarySmall, "outcome"),
            TrainingTasks.Multiclass => (Multiclass, "species"),
            _ => (Regression, "y"),
        };

        var outcome = ModelTrainer.Train(data, Request(label, task, trainer, TrainingTasks.Onnx));

        Assert.True(outcome.Succeeded, outcome.Failure?.Detail);
        var model = outcome.Value;
        var rows = Enumerable.Range(0, data.RowCount).ToArray();
        var vectors = TrainingTestData.Vectors(data, model.FeatureSchema, rows);
        var mlnet = TrainingTestData.PredictMlNet(model, vectors, rows.Length);
        var onnx = TrainingTestData.PredictOnnx(model, vectors, rows.Length);
        Assert.Equal(mlnet.Length, onnx.Length);
        var tolerance = task == TrainingTasks.Regression ? 1e-3 : 1e-4;
        Assert.All(Enumerable.Range(0, mlnet.Length), i => Assert.True(Math.Abs(mlnet[i] - onnx[i]) < tolerance, $"{i}: {mlnet[i]} vs {onnx[i]}"));
    }
}

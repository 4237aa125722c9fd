using Bulwark.Core.Serving;
using Bulwark.Core.Training;

namespace Bulwark.Core.Tests.Training;

/// <summary>Trains on the bundled breast-cancer data: once for SDCA (shared), once each for the tree trainers.</summary>
public sealed class BundledModelTests(BundledModelFixture fixture) : IClassFixture<BundledModelFixture>
{
    [Fact]
    public void Train_SdcaLogisticRegression_ReachesRequiredHoldoutAccuracy()
    {
        var metrics = fixture.Model.Metrics;

        Assert.True(metrics["accuracy"] >= 0.95, $"accuracy {metrics["accuracy"]}");
        Assert.True(metrics["auc"] >= 0.95, $"auc {metrics["auc"]}");
        foreach (var name in new[] { "f1", "precision", "recall" })
        {
            Assert.InRange(metrics[name], 0.85, 1.0);
        }

        Assert.InRange(metrics["log_loss"], 0, 0.5);
    }

    [Fact]
    public void Train_Bundled_BuildsServingSchemaFromData()
    {
        var schema = fixture.Model.FeatureSchema;

        Assert.Equal(30, schema.Features.Count);
        Assert.Equal(30, schema.VectorWidth);
        Assert.DoesNotContain(schema.Features, f => f.Name == "diagnosis");
        Assert.Equal(["benign", "malignant"], schema.Output.Classes); // malignant is rarer: positive by default
        var radius = schema.Features.Single(f => f.Name == "mean_radius");
        Assert.Equal(0, radius.Min); // never negative in training: the range starts at 0
        Assert.Equal(28.11 + (28.11 - 6.981), radius.Max!.Value, 9);
        Assert.Equal(569, radius.Statistics!.Count);
        Assert.Equal("Features", schema.Output.OnnxInput);
        Assert.Equal("Probability.output", schema.Output.OnnxOutput);
        Assert.Equal("onnx", fixture.Model.Format);
        Assert.Contains(ModelTrainer.ModelZip, fixture.Model.Files.Keys);
        Assert.Contains(ModelTrainer.ModelOnnx, fixture.Model.Files.Keys);
    }

    [Fact]
    public void Train_StratifiedSplit_KeepsClassSharesAndIsReproducible()
    {
        var holdout = fixture.Model.HoldoutRows;
        var labels = fixture.Data.Find("diagnosis")!.Values!;

        Assert.Equal(113, holdout.Count); // round(357 × 0.2) + round(212 × 0.2) = 71 + 42
        Assert.Equal(42, holdout.Count(i => labels[i] == "malignant"));
        var again = TrainingData.Prepare(fixture.Data, fixture.Request).Value!;
        Assert.Equal(holdout, again.Holdout);
        var other = TrainingData.Prepare(fixture.Data, fixture.Request with { Seed = 43 }).Value!;
        Assert.NotEqual(holdout, other.Holdout);
    }

    [Fact]
    public void MlNetRuntime_OnHoldout_ReproducesReportedAccuracy()
    {
        var model = fixture.Model;
        var rows = model.HoldoutRows;
        var vectors = TrainingTestData.Vectors(fixture.Data, model.FeatureSchema, rows);

        var probabilities = TrainingTestData.PredictMlNet(model, vectors, rows.Count);

        var labels = fixture.Data.Find("diagnosis")!.Values!;
        var positive = model.FeatureSchema.Output.Classes![1];
        var correct = rows.Select((row, i) => (probabilities[i] > 0.5f) == (labels[row] == positive)).Count(ok => ok);
        Assert.Equal(model.Metrics["accuracy"], (double)correct / rows.Count, 2);
        Assert.All(probabilities, p => Assert.InRange(p, 0f, 1f));
    }

    [Fact]
    public async Task MlNetRuntime_ConcurrentCallers_GetTheSameAnswers()
    {
        var model = fixture.Model;
        var rows = model.HoldoutRows;
        var vectors = TrainingTestData.Vectors(fixture.Data, model.FeatureSchema, rows);
        using var runtime = new MlNetModelRuntime(model.Files[ModelTrainer.ModelZip], model.FeatureSchema);
        var expected = new float[rows.Count];
        runtime.Predict(vectors, rows.Count, expected);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            var output = new float[rows.Count];
            for (var i = 0; i < 20; i++)
            {
                runtime.Predict(vectors, rows.Count, output);
            }

            return output;
        })));

        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public void OnnxExport_Binary_AgreesWithMlNet()
    {
        var model = fixture.Model;
        var rows = Enumerable.Range(0, fixture.Data.RowCount).ToArray();
        var vectors = TrainingTestData.Vectors(fixture.Data, model.FeatureSchema, rows);

        var mlnet = TrainingTestData.PredictMlNet(model, vectors, rows.Length);
        var onnx = TrainingTestData.PredictOnnx(model, vectors, rows.Length);

        Assert.Equal(rows.Length, onnx.Length);
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.True(Math.Abs(mlnet[i] - onnx[i]) < 1e-4, $"row {i}: ML.NET {mlnet[i]} vs ONNX {onnx[i]}");
        }
    }

    [Theory]
    [InlineData(TrainingTasks.FastTree)]
    [InlineData(TrainingTasks.LightGbm)]
    public void Train_TreeTrainers_GiveSaneBinaryMetrics(string trainer)
    {
        var outcome = ModelTrainer.Train(fixture.Data, fixture.Request with { Trainer = trainer, Runtime = TrainingTasks.MlNet });

        Assert.True(outcome.Succeeded, outcome.Failure?.Detail);
        var metrics = outcome.Value.Metrics;
        Assert.InRange(metrics["accuracy"], 0.9, 1.0);
        Assert.InRange(metrics["auc"], 0.9, 1.0);
        Assert.InRange(metrics["f1"], 0.85, 1.0);
        Assert.Equal(["model.zip", "reference.json"], outcome.Value.Files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("mlnet", outcome.Value.Format);
    }

    [Fact]
    public void Train_ExplicitPositiveClass_OrdersClassesNegativeThenPositive()
    {
        var prepared = TrainingData.Prepare(fixture.Data, fixture.Request with { PositiveClass = "benign" });

        Assert.True(prepared.Succeeded);
        Assert.Equal(["malignant", "benign"], prepared.Value.Schema.Output.Classes);
        var labels = fixture.Data.Find("diagnosis")!.Values!;
        Assert.All(Enumerable.Range(0, labels.Length), i => Assert.Equal(labels[i] == "benign", prepared.Value.BinaryLabels![i]));
    }

    [Fact]
    public void MlNetRuntime_WrongWidthBuffers_Throws()
    {
        using var runtime = new MlNetModelRuntime(fixture.Model.Files[ModelTrainer.ModelZip], fixture.Model.FeatureSchema);

        Assert.Throws<ArgumentException>(() => runtime.Predict(new float[10], 1, new float[1]));
    }

    [Fact]
    public void FeatureSchema_RoundTripsThroughJson()
    {
        var json = fixture.Model.FeatureSchema.ToJson();

        var back = FeatureSchema.FromJson(json);

        Assert.Equal(fixture.Model.FeatureSchema.Features, back.Features);
        Assert.Equal(fixture.Model.FeatureSchema.Output.OnnxOutput, back.Output.OnnxOutput);
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace BareOnnx;

/// <summary>
/// Trains the demo's model shape (mean-variance normalisation + SDCA logistic regression, seed 42, one thread) on the
/// bundled data and exports it to ONNX, so the bare endpoint runs the same graph kind the secured ONNX path runs.
/// </summary>
internal static class BareModel
{
    public const int Width = 30;

    public static (byte[] Onnx, string[] FeatureNames) TrainOnnx(string csvPath)
    {
        var header = File.ReadLines(csvPath).First().Split(',');
        var featureNames = header.Where(h => h != "diagnosis").ToArray();
        if (featureNames.Length != Width)
        {
            throw new InvalidOperationException($"Expected {Width} features in {csvPath}.");
        }

        var ml = new MLContext(seed: 42);
        var raw = ml.Data.LoadFromTextFile(csvPath, new TextLoader.Options
        {
            HasHeader = true,
            Separators = [','],
            Columns =
            [
                new TextLoader.Column("Features", DataKind.Single, 0, Width - 1),
                new TextLoader.Column("diagnosis", DataKind.String, Width),
            ],
        });
        var labelled = ml.Transforms.Conversion
            .MapValue("Label", new Dictionary<string, bool>(StringComparer.Ordinal) { ["malignant"] = true, ["benign"] = false }, "diagnosis")
            .Fit(raw).Transform(raw);
        var model = ml.Transforms.NormalizeMeanVariance("Features")
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options { NumberOfThreads = 1 }))
            .Fit(labelled);

        // Export against a features-only view, or the graph would also demand a Label input (STACK-NOTES).
        var schema = SchemaDefinition.Create(typeof(FeaturesRow));
        schema[nameof(FeaturesRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Width);
        var featuresOnly = ml.Data.LoadFromEnumerable([new FeaturesRow { Features = new float[Width] }], schema);
        using var stream = new MemoryStream();
        ml.Model.ConvertToOnnx(model, featuresOnly, stream);
        return (stream.ToArray(), featureNames);
    }

    private sealed class FeaturesRow
    {
        public float[] Features { get; set; } = [];
    }
}

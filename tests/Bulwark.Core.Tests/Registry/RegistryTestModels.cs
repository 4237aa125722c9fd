using Bulwark.Core.Registry;
using Bulwark.Core.Serving;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Bulwark.Core.Tests.Registry;

/// <summary>
/// Tiny real models trained in-test on deterministic synthetic data: a binary logistic regression over a float vector
/// of the schema's width, saved as an ML.NET zip and exported to ONNX.
/// </summary>
internal static class RegistryTestModels
{
    /// <summary>Four numeric features a..d in [0, 10]; label = a + b > 10.</summary>
    public static FeatureSchema NumericSchema(string? onnxInput = null, string? onnxOutput = null) => new(
        [
            new FeatureSpec("a", FeatureKind.Numeric, 0, 10),
            new FeatureSpec("b", FeatureKind.Numeric, 0, 10),
            new FeatureSpec("c", FeatureKind.Numeric, 0, 10),
            new FeatureSpec("d", FeatureKind.Numeric, 0, 10),
        ],
        new OutputSpec("binary", ["benign", "malignant"], onnxInput, onnxOutput));

    /// <summary>Two numeric features and one categorical (3 categories): vector width 5.</summary>
    public static FeatureSchema MixedSchema() => new(
        [
            new FeatureSpec("a", FeatureKind.Numeric, 0, 10),
            new FeatureSpec("colour", FeatureKind.Categorical, Categories: ["red", "green", "blue"]),
            new FeatureSpec("b", FeatureKind.Numeric, 0, 10),
        ],
        new OutputSpec("binary", ["no", "yes"]));

    private static readonly Lazy<(byte[] Zip, byte[] Onnx)> Numeric = new(() => Train(4, v => v[0] + v[1] > 10));
    private static readonly Lazy<(byte[] Zip, byte[] Onnx)> Mixed = new(() => Train(5, v => v[0] + v[4] > 10 || v[1] > 0.5f));

    public static byte[] NumericZip => Numeric.Value.Zip;
    public static byte[] NumericOnnx => Numeric.Value.Onnx;
    public static byte[] MixedZip => Mixed.Value.Zip;

    public static NewModelVersion NewVersion(string model, byte[]? zip = null, FeatureSchema? schema = null, string? trainer = "sdca") => new(
        model, "mlnet", "binary", schema ?? NumericSchema(),
        new Dictionary<string, byte[]>(StringComparer.Ordinal) { ["model.zip"] = zip ?? NumericZip },
        new Dictionary<string, double> { ["accuracy"] = 0.9, ["auc"] = double.NaN },
        null, null, trainer, new Dictionary<string, string> { ["seed"] = "1" }, "tester", "127.0.0.1");

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    private sealed class FeaturesOnly
    {
        public float[] Features { get; set; } = [];
    }

    private static (byte[] Zip, byte[] Onnx) Train(int width, Func<float[], bool> label)
    {
        var ml = new MLContext(seed: 1);
        var rows = new List<Row>();
        for (var i = 0; i < 400; i++)
        {
            // Deterministic, well spread values in [0, 10] (no RNG needed).
            var v = new float[width];
            for (var j = 0; j < width; j++)
            {
                v[j] = ((i * (37 + (j * 14)) + (j * 11)) % 101) / 10.1f;
            }

            rows.Add(new Row { Features = v, Label = label(v) });
        }

        var definition = SchemaDefinition.Create(typeof(Row));
        definition["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        var view = ml.Data.LoadFromEnumerable(rows, definition);
        var model = ml.BinaryClassification.Trainers.SdcaLogisticRegression(maximumNumberOfIterations: 50).Fit(view);

        using var zip = new MemoryStream();
        ml.Model.Save(model, view.Schema, zip);

        var onlyDefinition = SchemaDefinition.Create(typeof(FeaturesOnly));
        onlyDefinition["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        var only = ml.Data.LoadFromEnumerable(rows.Take(4).Select(r => new FeaturesOnly { Features = r.Features }), onlyDefinition);
        using var onnx = new MemoryStream();
        ml.Model.ConvertToOnnx(model, only, onnx);
        return (zip.ToArray(), onnx.ToArray());
    }
}

using System.Globalization;
using System.Text;
using Bulwark.Core.Datasets;
using Bulwark.Core.Serving;
using Bulwark.Core.Tests.Datasets;
using Bulwark.Core.Training;
using Microsoft.ML.OnnxRuntime;

namespace Bulwark.Core.Tests.Training;

/// <summary>Small, deterministic generated datasets (kept tiny so the suite stays fast) and scoring helpers.</summary>
internal static class TrainingTestData
{
    /// <summary>Three well-separated classes over two numeric features and one informative categorical one.</summary>
    public static string MulticlassCsv(int rows = 150)
    {
        var random = SeededRandom.Create(7);
        var csv = new StringBuilder("x1,x2,shape,species\n");
        string[] species = ["alpha", "beta", "gamma"];
        string[] shapes = ["round", "long", "flat"];
        for (var i = 0; i < rows; i++)
        {
            var c = i % 3;
            var x1 = c * 3 + random.NextDouble();
            var x2 = (2 - c) * 2 + random.NextDouble();
            var shape = random.NextDouble() < 0.8 ? shapes[c] : shapes[(c + 1) % 3];
            csv.Append(CultureInfo.InvariantCulture, $"{x1:F4},{x2:F4},{shape},{species[c]}\n");
        }

        return csv.ToString();
    }

    /// <summary>y = 3·x1 − 2·x2 + 5 (+1 when flag = on) + small noise.</summary>
    public static string RegressionCsv(int rows = 120)
    {
        var random = SeededRandom.Create(11);
        var csv = new StringBuilder("x1,x2,flag,y\n");
        for (var i = 0; i < rows; i++)
        {
            var x1 = random.NextDouble() * 10;
            var x2 = random.NextDouble() * 5;
            var on = random.NextDouble() < 0.5;
            var y = 3 * x1 - 2 * x2 + 5 + (on ? 1 : 0) + (random.NextDouble() - 0.5) * 0.2;
            csv.Append(CultureInfo.InvariantCulture, $"{x1:F4},{x2:F4},{(on ? "on" : "off")},{y:F4}\n");
        }

        return csv.ToString();
    }

    /// <summary>Two classes split by x1 + x2 > 1, with one useless categorical column.</summary>
    public static string BinaryCsv(int rows = 80)
    {
        var random = SeededRandom.Create(3);
        var csv = new StringBuilder("x1,x2,region,outcome\n");
        for (var i = 0; i < rows; i++)
        {
            var x1 = random.NextDouble();
            var x2 = random.NextDouble();
            var region = random.NextDouble() < 0.5 ? "north" : "south";
            csv.Append(CultureInfo.InvariantCulture, $"{x1:F4},{x2:F4},{region},{(x1 + x2 > 1 ? "fraud" : "ok")}\n");
        }

        return csv.ToString();
    }

    public static LoadedDataset Bundled() => DatasetTestData.Parse(File.ReadAllText(DatasetTestData.BundledCsvPath), "diagnosis");

    /// <summary>The feature vectors of <paramref name="rows"/>, row-major, encoded as serving encodes them.</summary>
    public static float[] Vectors(LoadedDataset data, FeatureSchema schema, IReadOnlyList<int> rows)
    {
        var width = schema.VectorWidth;
        var result = new float[rows.Count * width];
        var numeric = new double[schema.Features.Count];
        var categorical = new string?[schema.Features.Count];
        for (var r = 0; r < rows.Count; r++)
        {
            for (var f = 0; f < schema.Features.Count; f++)
            {
                var column = data.Find(schema.Features[f].Name)!;
                numeric[f] = column.Numbers?[rows[r]] ?? 0;
                categorical[f] = column.Values?[rows[r]];
            }

            FeatureVectorizer.WriteRow(schema, numeric, categorical, result.AsSpan(r * width, width));
        }

        return result;
    }

    public static float[] PredictMlNet(TrainedModel model, float[] vectors, int rows)
    {
        using var runtime = new MlNetModelRuntime(model.Files[ModelTrainer.ModelZip], model.FeatureSchema);
        var output = new float[rows * runtime.OutputWidth];
        runtime.Predict(vectors, rows, output);
        return output;
    }

    /// <summary>Runs the exported graph with ONNX Runtime directly (not through any Bulwark runtime class).</summary>
    public static float[] PredictOnnx(TrainedModel model, float[] vectors, int rows)
    {
        using var session = new InferenceSession(model.Files[ModelTrainer.ModelOnnx]);
        var width = model.FeatureSchema.VectorWidth;
        using var input = OrtValue.CreateTensorValueFromMemory(vectors, [rows, width]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [model.FeatureSchema.Output.OnnxInput!], [input], [model.FeatureSchema.Output.OnnxOutput!]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }
}

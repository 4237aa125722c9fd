using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Bulwark.Core.Serving;
using Bulwark.Core.Training;

namespace Bulwark.Benchmarks.Serving;

/// <summary>
/// The prediction hot path without the network: strict validation of a <c>{"instances":[…]}</c> body against the
/// model's schema (<see cref="PredictionRequestParser"/>), vectorisation, then inference — for one row and a batch of
/// 64 (reported per row), on both runtimes, with a model trained for real in <see cref="Setup"/>.
/// </summary>
[MemoryDiagnoser]
public class InferenceBenchmarks
{
    private const int MaxBatch = 1000;
    private IModelRuntime _runtime = null!;
    private FeatureSchema _schema = null!;
    private FeatureIndex _index = null!;
    private byte[] _oneRow = null!;
    private byte[] _batch64 = null!;
    private float[] _input = null!;
    private float[] _output = null!;

    [Params("mlnet", "onnx")]
    public string Runtime { get; set; } = "mlnet";

    [GlobalSetup]
    public void Setup()
    {
        var trained = BenchmarkData.Train(Runtime);
        _schema = trained.FeatureSchema;
        _index = new FeatureIndex(_schema);
        _runtime = Runtime == TrainingTasks.Onnx
            ? new OnnxModelRuntime(trained.Files[ModelTrainer.ModelOnnx], _schema)
            : new MlNetModelRuntime(trained.Files[ModelTrainer.ModelZip], _schema);
        var (names, rows) = BenchmarkData.ReadFeatureRows();
        _oneRow = Body(names, rows.Take(1));
        _batch64 = Body(names, rows.Take(64));
        _input = new float[64 * _schema.VectorWidth];
        _output = new float[64 * _runtime.OutputWidth];
    }

    [GlobalCleanup]
    public void Cleanup() => _runtime.Dispose();

    [Benchmark]
    public int ValidateOneRow() => Validate(_oneRow);

    [Benchmark(OperationsPerInvoke = 64)]
    public int ValidateBatch64() => Validate(_batch64);

    [Benchmark]
    public float ValidateAndPredictOneRow() => ValidateAndPredict(_oneRow);

    [Benchmark(OperationsPerInvoke = 64)]
    public float ValidateAndPredictBatch64() => ValidateAndPredict(_batch64);

    private int Validate(byte[] body)
    {
        var parsed = PredictionRequestParser.Parse(body, PredictionProtocol.V1, _index, MaxBatch);
        using var batch = parsed.Succeeded ? parsed.Value : throw new InvalidOperationException(parsed.Failure.Detail);
        return batch.Rows;
    }

    private float ValidateAndPredict(byte[] body)
    {
        var parsed = PredictionRequestParser.Parse(body, PredictionProtocol.V1, _index, MaxBatch);
        using var batch = parsed.Succeeded ? parsed.Value : throw new InvalidOperationException(parsed.Failure.Detail);
        var width = _schema.VectorWidth;
        for (var r = 0; r < batch.Rows; r++)
        {
            FeatureVectorizer.WriteRow(_schema, batch.NumericRow(r), batch.CategoricalRow(r), _input.AsSpan(r * width, width));
        }

        _runtime.Predict(_input.AsSpan(0, batch.Rows * width), batch.Rows, _output);
        return _output[0];
    }

    private static byte[] Body(string[] names, IEnumerable<double[]> rows)
    {
        var json = new StringBuilder("{\"instances\":[");
        var first = true;
        foreach (var row in rows)
        {
            json.Append(first ? "{" : ",{");
            first = false;
            for (var i = 0; i < names.Length; i++)
            {
                json.Append(i == 0 ? "\"" : ",\"").Append(names[i]).Append("\":").Append(row[i].ToString("R", CultureInfo.InvariantCulture));
            }

            json.Append('}');
        }

        return Encoding.UTF8.GetBytes(json.Append("]}").ToString());
    }
}

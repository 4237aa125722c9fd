using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Bulwark.Core.Serving;

/// <summary>
/// ONNX Runtime over a verified model.onnx. Feeds one float tensor [rows, width] into <see cref="OutputSpec.OnnxInput"/>
/// and reads <see cref="OutputSpec.OnnxOutput"/>: binary [N] / [N,1] = P(positive) or [N,2] (column 1), multiclass
/// [N,k], regression [N] / [N,1]. <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
/// is thread-safe, so one session serves all requests. Each run has its own <see cref="RunOptions"/> so that a run over
/// its time budget can be stopped (<see cref="RunOptions.Terminate"/>) without touching concurrent runs; the stopped
/// run throws <see cref="OnnxRuntimeException"/>, which the prediction service answers with 503.
/// </summary>
internal sealed class OnnxModelRuntime : IModelRuntime
{
    private readonly InferenceSession _session;
    private readonly TimeSpan _timeout;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly int _width;
    private readonly string _task;

    /// <param name="timeout">Longest one run may take; null for no limit (import smoke tests).</param>
    public OnnxModelRuntime(byte[] model, FeatureSchema schema, TimeSpan? timeout = null)
    {
        _timeout = timeout ?? Timeout.InfiniteTimeSpan;
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC,
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
        };
        _session = new InferenceSession(model, options);
        var input = schema.Output.OnnxInput ?? _session.InputMetadata.Keys.Single();
        var output = schema.Output.OnnxOutput ?? _session.OutputMetadata.Keys.First();
        if (!_session.InputMetadata.ContainsKey(input) || !_session.OutputMetadata.ContainsKey(output))
        {
            _session.Dispose();
            throw new InvalidOperationException("The ONNX model lacks the input or output named in its schema.");
        }

        _inputNames = [input];
        _outputNames = [output];
        _width = schema.VectorWidth;
        _task = schema.Output.Task;
        OutputWidth = _task == "multiclass" ? schema.Output.Classes!.Count : 1;
    }

    public int OutputWidth { get; }

    public void Predict(ReadOnlySpan<float> features, int rows, Span<float> output)
    {
        var length = rows * _width;
        var buffer = ArrayPool<float>.Shared.Rent(length);
        try
        {
            features[..length].CopyTo(buffer);
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, length), [rows, _width]);

            // Disposal runs in reverse: the registration first (it waits for a callback in flight), so Terminate is
            // never set on a RunOptions that was already freed.
            using var runOptions = new RunOptions();
            using var budget = new CancellationTokenSource(_timeout);
            using var stop = budget.Token.Register(static state => ((RunOptions)state!).Terminate = true, runOptions);
            using var results = _session.Run(runOptions, _inputNames, [input], _outputNames);
            Read(results[0], rows, output);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    private void Read(OrtValue value, int rows, Span<float> output)
    {
        var info = value.GetTensorTypeAndShape();
        var count = checked((int)info.ElementCount);
        if (rows == 0 || count % rows != 0)
        {
            throw new InvalidOperationException("The ONNX output does not have one entry per row.");
        }

        var perRow = count / rows;
        var expected = _task == "multiclass" ? OutputWidth : (_task == "binary" ? perRow is 1 or 2 ? perRow : -1 : 1);
        if (perRow != expected)
        {
            throw new InvalidOperationException($"The ONNX output has {perRow} values per row; the schema expects {OutputWidth}.");
        }

        ReadOnlySpan<float> data = info.ElementDataType switch
        {
            TensorElementType.Float => value.GetTensorDataAsSpan<float>(),
            TensorElementType.Double => ToFloat(value.GetTensorDataAsSpan<double>()),
            _ => throw new InvalidOperationException("The ONNX output is not a float tensor."),
        };

        if (_task == "binary" && perRow == 2)
        {
            for (var r = 0; r < rows; r++)
            {
                output[r] = data[(r * 2) + 1];
            }

            return;
        }

        data[..(rows * OutputWidth)].CopyTo(output);
    }

    private static float[] ToFloat(ReadOnlySpan<double> values)
    {
        var result = new float[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = (float)values[i];
        }

        return result;
    }

    public void Dispose()
    {
        _session.Dispose();
    }
}

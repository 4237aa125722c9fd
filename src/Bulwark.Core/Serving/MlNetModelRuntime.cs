using System.Collections.Concurrent;
using Bulwark.Core.Training;
using Microsoft.ML;

namespace Bulwark.Core.Serving;

/// <summary>
/// ML.NET over a verified model.zip. The model takes one "Features" float vector of the schema's VectorWidth; binary
/// models answer Probability (P(positive)), multiclass a Score vector in class order, regression a Score.
/// </summary>
/// <remarks>
/// A <see cref="PredictionEngine{TSrc, TDst}"/> is not thread-safe, so engines are pooled: a caller takes one (or
/// creates one when all are busy), scores its rows with it and returns it. The pool never grows beyond the peak
/// number of concurrent callers. Rows are scored one by one: per STACK-NOTES the engine costs microseconds per row.
/// </remarks>
internal sealed class MlNetModelRuntime : IModelRuntime
{
    private readonly MLContext _ml = new();
    private readonly ITransformer _model;
    private readonly int _width;
    private readonly Func<Engine> _create;
    private readonly ConcurrentBag<Engine> _pool = [];

    public MlNetModelRuntime(byte[] model, FeatureSchema schema)
    {
        using (var stream = new MemoryStream(model, writable: false))
        {
            _model = _ml.Model.Load(stream, out _);
        }

        _width = schema.VectorWidth;
        var input = TrainingViews.Schema<FeaturesRow>(_width);
        switch (schema.Output.Task)
        {
            case TrainingTasks.Binary:
                OutputWidth = 1;
                _create = () => new Engine<BinaryScore>(_ml.Model.CreatePredictionEngine<FeaturesRow, BinaryScore>(_model, true, input), _width,
                    (s, o) => o[0] = s.Probability);
                break;
            case TrainingTasks.Multiclass:
                OutputWidth = schema.Output.Classes?.Count ?? throw new ArgumentException("A multiclass schema needs its classes.", nameof(schema));
                _create = () => new Engine<VectorScore>(_ml.Model.CreatePredictionEngine<FeaturesRow, VectorScore>(_model, true, input), _width,
                    (s, o) =>
                    {
                        if (s.Score.Length != o.Length)
                        {
                            throw new InvalidOperationException($"The model scores {s.Score.Length} classes; the schema lists {o.Length}.");
                        }

                        s.Score.CopyTo(o);
                    });
                break;
            case TrainingTasks.Regression:
                OutputWidth = 1;
                _create = () => new Engine<ScalarScore>(_ml.Model.CreatePredictionEngine<FeaturesRow, ScalarScore>(_model, true, input), _width,
                    (s, o) => o[0] = s.Score);
                break;
            default:
                throw new ArgumentException($"Unknown task '{schema.Output.Task}'.", nameof(schema));
        }

        // Build one engine now so a model that does not fit its schema fails at load, not on the first request.
        _pool.Add(_create());
    }

    public int OutputWidth { get; }

    public void Predict(ReadOnlySpan<float> features, int rows, Span<float> output)
    {
        if (features.Length < rows * _width || output.Length < rows * OutputWidth)
        {
            throw new ArgumentException("The buffers are smaller than rows × width.", nameof(features));
        }

        var engine = _pool.TryTake(out var pooled) ? pooled : _create();
        try
        {
            for (var r = 0; r < rows; r++)
            {
                engine.Score(features.Slice(r * _width, _width), output.Slice(r * OutputWidth, OutputWidth));
            }
        }
        finally
        {
            _pool.Add(engine);
        }
    }

    public void Dispose()
    {
        while (_pool.TryTake(out var engine))
        {
            engine.Dispose();
        }
    }

    private abstract class Engine : IDisposable
    {
        public abstract void Score(ReadOnlySpan<float> features, Span<float> output);

        public abstract void Dispose();
    }

    private delegate void Reader<in T>(T score, Span<float> output);

    private sealed class Engine<T>(PredictionEngine<FeaturesRow, T> engine, int width, Reader<T> read) : Engine
        where T : class, new()
    {
        private readonly FeaturesRow _input = new() { Features = new float[width] };
        private T _output = new();

        public override void Score(ReadOnlySpan<float> features, Span<float> output)
        {
            features.CopyTo(_input.Features);
            engine.Predict(_input, ref _output);
            read(_output, output);
        }

        public override void Dispose() => engine.Dispose();
    }
}

namespace Bulwark.Core.Serving;

/// <summary>
/// A loaded, verified model. Implementations: ML.NET (model.zip) and ONNX Runtime (model.onnx). Only the registry's
/// verifying loader creates them, so an unverified artifact never reaches a runtime.
/// </summary>
internal interface IModelRuntime : IDisposable
{
    /// <summary>Values per row in the output: binary 1 (P(positive)), multiclass = class count, regression 1.</summary>
    int OutputWidth { get; }

    /// <summary>
    /// Scores <paramref name="rows"/> rows of <paramref name="features"/> (row-major, schema VectorWidth per row) into
    /// <paramref name="output"/> (row-major, OutputWidth per row). Thread-safe.
    /// </summary>
    void Predict(ReadOnlySpan<float> features, int rows, Span<float> output);
}

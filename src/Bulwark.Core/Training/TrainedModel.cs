using Bulwark.Core.Serving;

namespace Bulwark.Core.Training;

/// <summary>The result of <see cref="ModelTrainer.Train"/>: artifact files plus everything the manifest records.</summary>
/// <param name="Format">"mlnet" or "onnx": which runtime serves <see cref="Files"/>' primary file.</param>
/// <param name="Files">"model.zip" (ML.NET) and, for ONNX, "model.onnx".</param>
/// <param name="Metrics">Hold-out metrics, finite values only.</param>
/// <param name="HoldoutRows">Dataset row indices kept out of training, ascending.</param>
internal sealed record TrainedModel(
    FeatureSchema FeatureSchema,
    string Format,
    IReadOnlyDictionary<string, byte[]> Files,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, string> Parameters,
    int TrainingRows,
    IReadOnlyList<int> HoldoutRows);

/// <summary>A step of a training run: <paramref name="Fraction"/> of the work done, with a short human message.</summary>
internal readonly record struct TrainingProgress(double Fraction, string Message);

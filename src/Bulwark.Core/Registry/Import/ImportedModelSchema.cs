namespace Bulwark.Core.Registry;

/// <summary>
/// The declared schema of an imported ONNX model (Core's mirror of <c>Bulwark.Client.Contracts.ImportModelSchema</c>).
/// </summary>
/// <param name="Task">"binary", "multiclass" or "regression".</param>
/// <param name="Features">In the order of the model's input columns (categorical features one-hot, in category order).</param>
/// <param name="Classes">Classification: class names in the order of the model's score columns (binary: [negative, positive]).</param>
/// <param name="InputName">ONNX input to feed; default the only input.</param>
/// <param name="OutputName">ONNX output to read; default the first float tensor output.</param>
internal sealed record ImportedModelSchema(
    string Task,
    IReadOnlyList<ImportedFeature> Features,
    IReadOnlyList<string>? Classes = null,
    string? InputName = null,
    string? OutputName = null);

/// <param name="Kind">"numeric" or "categorical".</param>
internal sealed record ImportedFeature(
    string Name,
    string Kind,
    double? Min = null,
    double? Max = null,
    IReadOnlyList<string>? Categories = null);

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bulwark.Core.Serving;

/// <summary>
/// What a model version accepts and produces. Inputs are validated against <see cref="Features"/> before the runtime
/// sees anything; the model itself consumes one float vector per row built by <see cref="FeatureVectorizer"/>.
/// </summary>
internal sealed record FeatureSchema(IReadOnlyList<FeatureSpec> Features, OutputSpec Output)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Width of the model's input vector: one per numeric feature, one per category of a categorical feature.</summary>
    public int VectorWidth => Features.Sum(f => f.Kind == FeatureKind.Numeric ? 1 : f.Categories!.Count);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static FeatureSchema FromJson(string json) =>
        JsonSerializer.Deserialize<FeatureSchema>(json, Json) ?? throw new JsonException("Empty feature schema.");
}

/// <param name="Min">Smallest accepted value (validation); null = unbounded.</param>
/// <param name="Max">Largest accepted value (validation); null = unbounded.</param>
/// <param name="Categories">Categorical only: the accepted values, in one-hot order.</param>
/// <param name="Statistics">Training statistics (for drift and OOD checks later); null for imported models.</param>
/// <param name="Tag">
/// The training column's sensitivity tag ("pii", "phi" or "pci"); null when it had none, or for imported models. Its
/// categories and range are values of people in the data, so the registry API does not show them.
/// </param>
internal sealed record FeatureSpec(
    string Name,
    FeatureKind Kind,
    double? Min = null,
    double? Max = null,
    IReadOnlyList<string>? Categories = null,
    FeatureStatistics? Statistics = null,
    string? Tag = null);

internal sealed record FeatureStatistics(double Min, double Max, double Mean, double StdDev, int Count);

internal enum FeatureKind
{
    Numeric,
    Categorical,
}

/// <param name="Task">"binary", "multiclass" or "regression".</param>
/// <param name="Classes">Classification: class names in score order. Binary: [negative, positive].</param>
/// <param name="OnnxInput">ONNX only: the input tensor to feed.</param>
/// <param name="OnnxOutput">ONNX only: the output tensor to read. Binary: P(positive) as [N] / [N,1], or [N,2] probabilities.</param>
internal sealed record OutputSpec(
    string Task,
    IReadOnlyList<string>? Classes = null,
    string? OnnxInput = null,
    string? OnnxOutput = null);

using System.Text.Json.Serialization;

namespace Bulwark.Client.Contracts;

/// <summary>Response of <c>POST /v1/models/{name}:predict</c>. Names the exact version and its manifest digest.</summary>
/// <param name="PredictionId">Identifies this prediction for feedback (<c>POST /api/v1/models/{name}/feedback</c>) and in the audit trail.</param>
public sealed record PredictResponse(string Model, int Version, string ManifestDigest, IReadOnlyList<Prediction> Predictions, Guid? PredictionId = null);

/// <summary>
/// One prediction. Classification: Label and Score (the probability of Label, rounded). Regression: Value.
/// Probabilities (all classes) only for callers holding the matching scope.
/// </summary>
public sealed record Prediction(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Label = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Score = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Value = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, double>? Probabilities = null);

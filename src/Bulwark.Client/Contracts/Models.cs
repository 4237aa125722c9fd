namespace Bulwark.Client.Contracts;

/// <summary>Body of <c>POST /api/v1/models/{name}/train</c>.</summary>
/// <param name="Task">"binary", "multiclass" or "regression".</param>
/// <param name="Trainer">"sdca" (logistic / maximum-entropy / SDCA regression), "fasttree" or "lightgbm".</param>
/// <param name="Runtime">Which runtime serves the result: "mlnet" (the ML.NET zip) or "onnx" (exported to ONNX).</param>
/// <param name="PositiveClass">Binary only: the label value treated as positive; default the less frequent one.</param>
public sealed record TrainModelRequest(
    Guid DatasetId,
    string LabelColumn,
    string Task = "binary",
    string Trainer = "sdca",
    double HoldoutFraction = 0.2,
    int Seed = 42,
    string Runtime = "mlnet",
    string? PositiveClass = null);

/// <summary>A background job. State is "queued", "running", "succeeded" or "failed".</summary>
public sealed record JobInfo(
    Guid Id,
    string Kind,
    string State,
    double Progress,
    string? Message,
    string ModelName,
    int? Version,
    string? ErrorCode,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A model version. Stage is "candidate", "production" or "retired"; Format "mlnet" or "onnx".</summary>
/// <param name="ExternalSigner">Key id of the trusted external signer whose signature was checked at import (from the signed manifest).</param>
/// <param name="RetrainRequiredAt">Set when an erasure removed rows from the dataset this version was trained on: retrain it on the dataset as it is now.</param>
public sealed record ModelVersionInfo(
    string Model,
    int Version,
    string Stage,
    string Format,
    string Task,
    string ManifestDigest,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyList<FeatureInfo> Features,
    IReadOnlyList<string>? Classes,
    Guid? DatasetId,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    string? ExternalSigner = null,
    DateTimeOffset? RetrainRequiredAt = null,
    string? RetrainReason = null);

/// <summary>One input feature of a model. Kind is "numeric" or "categorical".</summary>
/// <param name="Tag">
/// Set by the server when the feature was trained from a column tagged "pii", "phi" or "pci": its range and categories are
/// then left out (they are values of people in the data, as on the dataset). Ignored in an import schema.
/// </param>
public sealed record FeatureInfo(
    string Name,
    string Kind,
    double? Min = null,
    double? Max = null,
    IReadOnlyList<string>? Categories = null,
    string? Tag = null);

/// <summary>The "schema" part of <c>POST /api/v1/models/{name}/versions</c> (multipart: "model" file + "schema" JSON).</summary>
/// <param name="Features">In the order of the model's input tensor columns (categorical features one-hot, in category order).</param>
/// <param name="Classes">Classification: class names in the order of the model's score columns.</param>
/// <param name="InputName">ONNX input to feed (float tensor [N, width]); default: the only input.</param>
/// <param name="OutputName">ONNX output to read; default: the first float tensor output.</param>
public sealed record ImportModelSchema(
    string Task,
    IReadOnlyList<FeatureInfo> Features,
    IReadOnlyList<string>? Classes = null,
    string? InputName = null,
    string? OutputName = null);

/// <summary>Body of <c>POST /api/v1/models/{name}/promote</c>. Stage "production" or "retired".</summary>
public sealed record PromoteRequest(int Version, string Stage = "production");

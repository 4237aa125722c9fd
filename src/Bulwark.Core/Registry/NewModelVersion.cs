using Bulwark.Core.Serving;

namespace Bulwark.Core.Registry;

/// <summary>
/// Everything needed to register a model version: the artifact files (name → bytes; the primary is "model.zip" for
/// ML.NET or "model.onnx" for ONNX) and the facts the signed manifest records about them.
/// </summary>
/// <param name="Format">"mlnet" or "onnx".</param>
/// <param name="Task">"binary", "multiclass" or "regression".</param>
/// <param name="Trainer">e.g. "sdca"; null for imports.</param>
/// <param name="Parameters">Trainer parameters (hold-out fraction, seed, …) as strings.</param>
/// <param name="JobId">The training job that produced a trained version (recorded in its audit event).</param>
/// <param name="ExternalSigner">Key id of the trusted signer whose OMS signature over an imported file was verified.</param>
internal sealed record NewModelVersion(
    string ModelName,
    string Format,
    string Task,
    FeatureSchema FeatureSchema,
    IReadOnlyDictionary<string, byte[]> Files,
    IReadOnlyDictionary<string, double> Metrics,
    Guid? DatasetId,
    string? DatasetDigest,
    string? Trainer,
    IReadOnlyDictionary<string, string>? Parameters,
    string CreatedBy,
    string? ClientAddress,
    Guid? JobId = null,
    string? ExternalSigner = null);

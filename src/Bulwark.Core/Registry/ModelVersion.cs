namespace Bulwark.Core.Registry;

/// <summary>
/// One immutable version of a model: its signed manifest (a DSSE envelope) and the encrypted artifact files it covers.
/// Only the stage changes after creation.
/// </summary>
internal sealed class ModelVersion
{
    public Guid Id { get; set; }

    /// <summary>The owning project (the tenant boundary).</summary>
    public string ProjectId { get; set; } = "";
    public string ModelName { get; set; } = "";
    public int Version { get; set; }
    public ModelStage Stage { get; set; }

    /// <summary>"mlnet" or "onnx": which runtime loads the primary artifact.</summary>
    public string Format { get; set; } = "";

    /// <summary>The task the model solves: "binary", "multiclass" or "regression".</summary>
    public string Task { get; set; } = "";

    /// <summary>The DSSE envelope (JSON) whose payload is the in-toto statement over the artifact files.</summary>
    public string ManifestEnvelope { get; set; } = "";

    /// <summary>SHA-256 of the envelope bytes, lowercase hex; responses and audit events name the version by it.</summary>
    public string ManifestDigest { get; set; } = "";

    /// <summary>The feature schema (with training statistics) as JSON; a copy is inside the signed manifest.</summary>
    public string FeatureSchemaJson { get; set; } = "";
    public string MetricsJson { get; set; } = "{}";
    public Guid? DatasetId { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? PromotedAt { get; set; }

    /// <summary>
    /// Set when an erasure removed rows from the dataset this version was trained on: the model may still encode the
    /// erased subject's data, so it should be retrained on the dataset as it is now (GDPR Art. 17). Not covered by the
    /// stage tag: it only ever adds a warning.
    /// </summary>
    public DateTimeOffset? RetrainRequiredAt { get; set; }

    /// <summary>Why <see cref="RetrainRequiredAt"/> was set, e.g. "erasure 0190…" (never a subject key).</summary>
    public string? RetrainReason { get; set; }

    /// <summary>
    /// HMAC over id, model, version, stage and manifest digest under a master-key-derived key, so a stage flipped
    /// directly in the database (e.g. an old signed version marked production) is refused at load.
    /// </summary>
    public byte[] StageTag { get; set; } = [];
}

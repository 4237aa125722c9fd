namespace Bulwark.Core.Registry;

/// <summary>Stable problem codes of the registry feature (the same strings as <c>Bulwark.Client.Contracts.ErrorCodes</c>).</summary>
internal static class RegistryErrors
{
    public const string ModelNotFound = "registry.model-not-found";
    public const string VersionNotFound = "registry.version-not-found";
    public const string FormatUnsupported = "registry.format-unsupported";
    public const string OnnxInvalid = "registry.onnx-invalid";
    public const string SchemaInvalid = "registry.schema-invalid";
    public const string SignatureInvalid = "registry.signature-invalid";
    public const string DigestMismatch = "registry.digest-mismatch";
    public const string InvalidStage = "registry.invalid-stage";

    /// <summary>A version's stage does not match its stage tag: changed outside the registry (see <see cref="ModelStageTag"/>).</summary>
    public const string StageTampered = "registry.stage-tampered";

    /// <summary>
    /// The production version is not the one the release record approves (a replayed or rolled-back row), or the record
    /// itself failed its integrity check (see <see cref="ModelReleaseLedger"/>). 503: nothing serves until an operator acts.
    /// </summary>
    public const string ReleaseMismatch = "registry.release-mismatch";

    /// <summary>The version's producer (or a credential they created) tried to approve or promote it alone (four eyes).</summary>
    public const string SelfApprovalCode = "registry.self-approval";

    /// <summary>Production needs more distinct approvers than the version has.</summary>
    public const string ApprovalRequired = "registry.approval-required";
    public const string AlreadyApproved = "registry.already-approved";

    /// <summary>A promotion gate (metric threshold, golden-set regression, robustness, membership inference) failed.</summary>
    public const string GateFailedCode = "registry.gate-failed";

    /// <summary>An OMS signature bundle is malformed: truncated JSON, another media type, a missing or unknown member.</summary>
    public const string BundleInvalid = "registry.bundle-invalid";

    /// <summary>An OMS signature was not made by a trusted key (the hint names another key, or the signature does not verify).</summary>
    public const string SignerUntrusted = "registry.signer-untrusted";

    /// <summary>A signed file name escapes the model folder, or the folder holds a symlink or a special file.</summary>
    public const string PathUnsafe = "registry.path-unsafe";

    /// <summary>The import carried no OMS signature while <c>Bulwark:Registry:RequireExternalSignature</c> is on.</summary>
    public const string SignatureRequired = "registry.signature-required";

    /// <summary>An uploaded zip is a zip bomb (entries, declared size, ratio) or holds an entry name that escapes a folder.</summary>
    public const string ArchiveUnsafe = "registry.archive-unsafe";

    /// <summary>A Keras model (HDF5 or .keras zip) with a Lambda / TFOpLambda layer: marshalled Python that runs on load.</summary>
    public const string KerasLambda = "registry.keras-lambda";

    /// <summary>A TensorFlow SavedModel or GraphDef whose graph reads, writes or lists files, or calls Python (PyFunc).</summary>
    public const string TensorFlowFileOp = "registry.tensorflow-file-op";

    public static Failure SelfApproval(string model, int version) =>
        new(SelfApprovalCode, 403, $"Version {version} of '{model}' cannot be approved by whoever produced it (or by a credential they created).");

    public static Failure GateFailed(string model, int version, GateReport report) =>
        new(GateFailedCode, 422, $"Version {version} of '{model}' failed its promotion gates: {string.Join("; ", report.Failures)}.");

    public static Failure Schema(string detail) => new(SchemaInvalid, 422, detail);

    public static Failure Onnx(string detail) => new(OnnxInvalid, 422, detail);

    public static Failure Unsupported(string detail) => new(FormatUnsupported, 415, detail);

    public static Failure NoModel(string model) => new(ModelNotFound, 404, $"Model '{model}' does not exist.");

    public static Failure NoVersion(string model, int version) => new(VersionNotFound, 404, $"Model '{model}' has no version {version}.");

    public static Failure Stage(string detail) => new(InvalidStage, 409, detail);

    /// <summary>503: the version exists but its recorded stage cannot be trusted, so it is neither served nor moved.</summary>
    public static Failure Tampered(string model, int version) =>
        new(StageTampered, 503, $"The stage of model {model} version {version} failed its integrity check.");
}

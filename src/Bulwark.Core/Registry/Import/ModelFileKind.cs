namespace Bulwark.Core.Registry;

/// <summary>What a model file is, judged by its bytes (never its name).</summary>
internal enum ModelFileKind
{
    Unknown,
    Empty,
    Onnx,
    MlNetZip,
    Pickle,
    PyTorchZip,
    Zip,
    Hdf5,
    NumPy,
    Safetensors,
    Protobuf,

    /// <summary>A zip that is a zip bomb or has entry names escaping an extraction folder (see <see cref="ZipArchiveInspector"/>).</summary>
    UnsafeArchive,
}

/// <summary>
/// The sniffer's verdict. <see cref="Severity"/> is "critical" when a pickle imports code-execution modules or a TensorFlow
/// graph uses file ops, "high" for a Keras Lambda layer. <see cref="Code"/> is the specific refusal code when there is one
/// (<c>registry.keras-lambda</c>, <c>registry.tensorflow-file-op</c>); otherwise the file is refused as unsupported.
/// </summary>
internal sealed record ModelFileIdentity(ModelFileKind Kind, string Description, string? Severity = null, IReadOnlyList<string>? Imports = null, string? Code = null);

namespace Bulwark.Core.Registry;

/// <summary>
/// The Bulwark facts a signed manifest records next to the file digests (the <c>bulwark</c> member of the predicate).
/// Loaders use these signed values, not the database row, to decide how to run a model.
/// </summary>
/// <param name="ExternalSigner">Key id of the trusted external key whose OMS signature over the imported file was checked at import.</param>
/// <param name="Runtimes">Assembly versions of the ML runtimes at registration (package name → version), for the AI BOM.</param>
internal sealed record ManifestContent(
    string Model,
    int Version,
    Guid VersionId,
    string Format,
    string Task,
    string FeatureSchemaJson,
    Guid? DatasetId,
    string? DatasetDigest,
    string? Trainer,
    IReadOnlyDictionary<string, string>? Parameters,
    IReadOnlyDictionary<string, double> Metrics,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    string ProductVersion,
    string? ExternalSigner = null,
    IReadOnlyDictionary<string, string>? Runtimes = null);

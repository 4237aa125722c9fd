namespace Bulwark.Core.Incidents.Evidence;

/// <summary>
/// An evidence bundle is a zip of exactly these files. <c>manifest.json</c> lists the SHA-256 (and, since sizes were
/// added, the length) of every other file and is signed by the audit key (<c>manifest.dsse.json</c>); <c>audit.jsonl</c>
/// is an audit export with its own signed statement and checkpoints, so the slice verifies on its own as well.
/// </summary>
internal static class EvidenceBundleFormat
{
    public const string Incident = "incident.json";
    public const string Audit = "audit.jsonl";
    public const string Artifacts = "artifacts.json";
    public const string Manifest = "manifest.json";
    public const string Signature = "manifest.dsse.json";
    public const string ManifestType = "bulwark.evidence/v1";
    public const string PayloadType = "application/vnd.bulwark.evidence+json";

    /// <summary>The files the manifest covers, in the order they are written.</summary>
    public static readonly IReadOnlyList<string> CoveredFiles = [Incident, Audit, Artifacts];

    /// <summary>Every entry a bundle has; anything else is refused.</summary>
    public static readonly IReadOnlyList<string> AllFiles = [Incident, Audit, Artifacts, Manifest, Signature];

    /// <summary>
    /// Largest bundle the verifier reads, uncompressed and in total (and the largest zip it accepts): a bomb guard. A
    /// bundle holds one incident's audit slice, a few hundred bytes per event, so this is about a million events.
    /// </summary>
    public const long MaxBundleBytes = 256L * 1024 * 1024;

    /// <summary>Largest manifest or signature envelope: both are read into memory (and first), and are under a kilobyte.</summary>
    public const int MaxSignedPartBytes = 64 * 1024;

    /// <summary>Largest zip central directory read: five entries need a few hundred bytes.</summary>
    public const int MaxDirectoryBytes = 64 * 1024;
}

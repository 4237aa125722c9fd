namespace Bulwark.Core.Incidents.Evidence;

/// <summary>
/// An evidence bundle is a zip of exactly these files. <c>manifest.json</c> lists the SHA-256 of every other file and is
/// signed by the audit key (<c>manifest.dsse.json</c>); <c>audit.jsonl</c> is an audit export with its own signed
/// statement and checkpoints, so the slice verifies on its own as well.
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

    /// <summary>Largest entry the verifier will read (a bomb guard: the audit slice is the big one).</summary>
    public const long MaxEntryBytes = 512L * 1024 * 1024;
}

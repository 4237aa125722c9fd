namespace Bulwark.Core.Access;

/// <summary>
/// One version of the ABAC policy document. Versions are never edited: a change adds a version, so every decision
/// in the audit ledger can name the exact document (version and digest) that made it.
/// </summary>
internal sealed class PolicyRevision
{
    public int Version { get; set; }

    /// <summary>The document as submitted (JSON or YAML).</summary>
    public string Document { get; set; } = "";
    public string Format { get; set; } = "";

    /// <summary>SHA-256 of the document, lowercase hex.</summary>
    public string Digest { get; set; } = "";
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

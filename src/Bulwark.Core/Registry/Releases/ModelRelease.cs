namespace Bulwark.Core.Registry;

/// <summary>
/// One entry of a model's release record: which version (by id, manifest digest and root digest) became the approved
/// production version, or that production was emptied. Append-only; each entry's <see cref="Tag"/> is an HMAC over its
/// fields and the previous entry's tag (<see cref="ModelReleaseLedger"/>), so an entry cannot be edited, reordered or
/// replaced by an older one without the master key. Serving compares the production row against the newest entry
/// (anti-rollback): a version that verifies but is not the approved one is refused.
/// </summary>
internal sealed class ModelRelease
{
    public Guid Id { get; set; }
    public string ProjectId { get; set; } = "";
    public string ModelName { get; set; } = "";

    /// <summary>1, 2, … per model, without gaps.</summary>
    public int Sequence { get; set; }

    /// <summary>What changed production: "promote", "rollback", "fallback" (after a quarantine), "retire", "quarantine" or "adopt".</summary>
    public string Action { get; set; } = "";

    /// <summary>The approved production version; null when the entry empties production (retire, quarantine without fallback).</summary>
    public Guid? VersionId { get; set; }
    public int? Version { get; set; }

    /// <summary>SHA-256 of the version's DSSE envelope (what the loader checks the stored manifest against).</summary>
    public string? ManifestDigest { get; set; }

    /// <summary>The signed root digest over the version's files (OpenSSF model-signing subject digest).</summary>
    public string? RootDigest { get; set; }

    public string By { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public byte[] Tag { get; set; } = [];
}

namespace Bulwark.Core.Registry;

/// <summary>
/// A reviewer's approval of one model version for production (four eyes). Kept per version; the person accountable for
/// the approving principal (<see cref="Accountable"/>) is what counts, so one person's second API key is not a second pair of eyes.
/// </summary>
internal sealed class ModelApproval
{
    public Guid Id { get; set; }
    public string ProjectId { get; set; } = "";
    public Guid VersionId { get; set; }

    /// <summary>The principal that approved ("user:…", "key:…", "client:…").</summary>
    public string Principal { get; set; } = "";

    /// <summary>The person (or root credential) behind <see cref="Principal"/>: keys and clients resolve to whoever created them.</summary>
    public string Accountable { get; set; } = "";
    public string? Comment { get; set; }
    public DateTimeOffset At { get; set; }
}

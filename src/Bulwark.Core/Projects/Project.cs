namespace Bulwark.Core.Projects;

/// <summary>
/// A project: the tenant boundary. Every dataset, model version, API key, job and audit record belongs to exactly one,
/// and a principal sees only the objects of the projects it is a member of.
/// </summary>
internal sealed class Project
{
    /// <summary>The project's id and name in URLs and the <c>Bulwark-Project</c> header: lowercase, e.g. "fraud-team".</summary>
    public string Id { get; set; } = "";
    public string DisplayName { get; set; } = "";

    /// <summary>
    /// The password profile its members' passwords must meet in addition to the instance default: "pci-dss-4" for projects
    /// that hold cardholder data (PCI DSS 4.0 req. 8.3.6, 8.3.7, 8.3.4).
    /// </summary>
    public string PasswordProfile { get; set; } = "nist-800-63b";

    /// <summary>
    /// What a dataset import does with card numbers: "reject" (the default), "truncate" or "tokenise" (see
    /// <c>Compliance.PanPolicy</c>). Set by an instance administrator with a second factor; a card number is never
    /// stored in clear under any of them.
    /// </summary>
    public string PanPolicy { get; set; } = "reject";
    /// <summary>Days captured prediction payloads (and their feedback) are kept; null = the instance default.</summary>
    public int? CaptureRetentionDays { get; set; }

    /// <summary>Days datasets are kept after import; null = the instance default (keep).</summary>
    public int? DatasetRetentionDays { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

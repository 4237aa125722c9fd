using System.ComponentModel.DataAnnotations;

namespace Bulwark.Core.Audit;

/// <summary>Audit ledger settings. Bound from <c>Bulwark:Audit</c>.</summary>
public sealed class AuditOptions
{
    public const string Section = "Bulwark:Audit";

    /// <summary>
    /// How often the chain head is signed when events were added. Anything cut off the tail after the last checkpoint
    /// is only detectable against an external copy, so keep this short; each checkpoint costs one signature and one row.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long events stay in the database, searchable at once. PCI DSS 4.0 10.5.1: at least the last three months
    /// immediately available. Older events move to signed archive files that stay verifiable offline.
    /// </summary>
    [Range(typeof(TimeSpan), "90.00:00:00", "3650.00:00:00")]
    public TimeSpan HotRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// How long archive files are kept. PCI DSS 10.5.1 asks for 12 months of audit history; HIPAA §164.316(b)(2)
    /// keeps documentation six years, the default. Shorter than a year is refused.
    /// </summary>
    [Range(typeof(TimeSpan), "365.00:00:00", "36500.00:00:00")]
    public TimeSpan ArchiveRetention { get; set; } = TimeSpan.FromDays(6 * 365 + 2);

    /// <summary>Where archive files go; defaults to &lt;data-dir&gt;/audit-archive.</summary>
    public string? ArchiveDirectory { get; set; }

    /// <summary>How often events past <see cref="HotRetention"/> are archived and expired archives purged.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromDays(1);
}

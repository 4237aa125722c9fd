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
}

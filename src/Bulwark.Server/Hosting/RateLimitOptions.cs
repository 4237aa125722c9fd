using System.ComponentModel.DataAnnotations;

namespace Bulwark.Server.Hosting;

/// <summary>Per-key token bucket, the global limit and the failed-authentication limit. Bound from <c>Bulwark:RateLimits</c>.</summary>
internal sealed class RateLimitOptions
{
    public const string Section = "Bulwark:RateLimits";

    [Range(1, 1_000_000, ErrorMessage = "Bulwark:RateLimits:PerKeyTokensPerSecond must be between 1 and 1000000.")]
    public int PerKeyTokensPerSecond { get; set; } = 100;

    [Range(1, 1_000_000, ErrorMessage = "Bulwark:RateLimits:PerKeyBurst must be between 1 and 1000000.")]
    public int PerKeyBurst { get; set; } = 200;

    [Range(1, 10_000_000, ErrorMessage = "Bulwark:RateLimits:GlobalPermitsPerSecond must be between 1 and 10000000.")]
    public int GlobalPermitsPerSecond { get; set; } = 2000;

    /// <summary>Failed authentications per client partition (IPv4 address, IPv6 /64) per minute before it is refused with 429.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Bulwark:RateLimits:AuthFailuresPerMinute must be between 1 and 1000000.")]
    public int AuthFailuresPerMinute { get; set; } = 30;

    /// <summary>
    /// Audit verifications, exports and on-demand checkpoints per principal per minute (one budget for the three): each
    /// walks or streams the whole ledger, or signs and writes, so a read-only scope must not run them without bound.
    /// </summary>
    [Range(1, 10_000, ErrorMessage = "Bulwark:RateLimits:AuditOperationsPerMinute must be between 1 and 10000.")]
    public int AuditOperationsPerMinute { get; set; } = 10;

    /// <summary>How many client partitions the failure limiter tracks; beyond that they share one overflow partition.</summary>
    [Range(1, 10_000_000, ErrorMessage = "Bulwark:RateLimits:AuthFailureMaxPartitions must be between 1 and 10000000.")]
    public int AuthFailureMaxPartitions { get; set; } = 100_000;

    /// <summary>Feedback labels a principal may submit per minute (a flood of labels is how a feedback loop is poisoned).</summary>
    [Range(1, 1_000_000, ErrorMessage = "Bulwark:RateLimits:FeedbackPerMinute must be between 1 and 1000000.")]
    public int FeedbackPerMinute { get; set; } = 600;

    /// <summary>Gate dry runs and on-demand evaluations a principal may start per minute (each scores whole datasets).</summary>
    [Range(1, 10_000, ErrorMessage = "Bulwark:RateLimits:EvaluationsPerMinute must be between 1 and 10000.")]
    public int EvaluationsPerMinute { get; set; } = 6;
}

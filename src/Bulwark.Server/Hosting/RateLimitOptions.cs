using System.ComponentModel.DataAnnotations;

namespace Bulwark.Server.Hosting;

/// <summary>Per-key token bucket and the global limit. Bound from <c>Bulwark:RateLimits</c>.</summary>
internal sealed class RateLimitOptions
{
    public const string Section = "Bulwark:RateLimits";

    [Range(1, 1_000_000, ErrorMessage = "Bulwark:RateLimits:PerKeyTokensPerSecond must be between 1 and 1000000.")]
    public int PerKeyTokensPerSecond { get; set; } = 100;

    [Range(1, 1_000_000, ErrorMessage = "Bulwark:RateLimits:PerKeyBurst must be between 1 and 1000000.")]
    public int PerKeyBurst { get; set; } = 200;

    [Range(1, 10_000_000, ErrorMessage = "Bulwark:RateLimits:GlobalPermitsPerSecond must be between 1 and 10000000.")]
    public int GlobalPermitsPerSecond { get; set; } = 2000;
}

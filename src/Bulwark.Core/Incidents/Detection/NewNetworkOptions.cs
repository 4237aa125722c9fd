namespace Bulwark.Core.Incidents.Detection;

/// <summary>Machine credentials (API keys, OAuth clients) used from a network they were never seen from.</summary>
public sealed class NewNetworkOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>A credential's first this-many successful events are its baseline, whatever their network.</summary>
    public int LearningEvents { get; set; } = 10;

    /// <summary>Events within this time of a credential's first event are baseline too; learning ends when both limits are passed.</summary>
    public TimeSpan LearningPeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>IPv4 addresses are grouped into networks of this prefix length.</summary>
    public int Ipv4PrefixLength { get; set; } = 24;

    /// <summary>IPv6 addresses are grouped into networks of this prefix length (RFC 4291 §2.5.4: a /64 is one subnet).</summary>
    public int Ipv6PrefixLength { get; set; } = 64;

    /// <summary>Networks remembered per credential (least recently used forgotten first; a forgotten network fires again).</summary>
    public int MaxNetworksPerPrincipal { get; set; } = 32;

    public TimeSpan Cooldown { get; set; } = TimeSpan.FromHours(1);
}

using System.Net;
using System.Net.Sockets;

namespace Bulwark.Core.Incidents.Alerts;

/// <summary>
/// Decides whether an outbound webhook may connect to an address (OWASP SSRF Prevention Cheat Sheet, "network layer"):
/// only globally reachable unicast addresses, unless an operator allowed the network explicitly. Special-purpose ranges
/// follow the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890). IPv4 hidden inside IPv6 (mapped, NAT64,
/// 6to4) is judged as the IPv4 address it reaches.
/// </summary>
internal sealed class EgressAddressGuard(IReadOnlyList<IPNetwork> allowedNetworks)
{
    private static readonly (IPNetwork Network, string Reason)[] RefusedV4 =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "'this network' (RFC 6890; connecting to it reaches the local host)"),
        (IPNetwork.Parse("10.0.0.0/8"), "private (RFC 1918)"),
        (IPNetwork.Parse("100.64.0.0/10"), "shared carrier-grade NAT space (RFC 6598)"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback (RFC 1122)"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local, where cloud metadata services live (RFC 3927)"),
        (IPNetwork.Parse("172.16.0.0/12"), "private (RFC 1918)"),
        (IPNetwork.Parse("192.0.0.0/24"), "IETF protocol assignments (RFC 6890)"),
        (IPNetwork.Parse("192.0.2.0/24"), "documentation (RFC 5737)"),
        (IPNetwork.Parse("192.88.99.0/24"), "6to4 relay anycast (RFC 7526)"),
        (IPNetwork.Parse("192.168.0.0/16"), "private (RFC 1918)"),
        (IPNetwork.Parse("198.18.0.0/15"), "benchmarking (RFC 2544)"),
        (IPNetwork.Parse("198.51.100.0/24"), "documentation (RFC 5737)"),
        (IPNetwork.Parse("203.0.113.0/24"), "documentation (RFC 5737)"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast (RFC 5771)"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved or broadcast (RFC 1112, RFC 919)"),
    ];

    private static readonly (IPNetwork Network, string Reason)[] RefusedV6 =
    [
        (IPNetwork.Parse("::/128"), "unspecified (RFC 4291)"),
        (IPNetwork.Parse("::1/128"), "loopback (RFC 4291)"),
        (IPNetwork.Parse("::/96"), "IPv4-compatible, deprecated (RFC 4291 §2.5.5.1)"),
        (IPNetwork.Parse("64:ff9b:1::/48"), "local-use NAT64 (RFC 8215)"),
        (IPNetwork.Parse("100::/64"), "discard-only (RFC 6666)"),
        (IPNetwork.Parse("2001::/23"), "IETF protocol assignments, Teredo included (RFC 2928, RFC 4380)"),
        (IPNetwork.Parse("2001:db8::/32"), "documentation (RFC 3849)"),
        (IPNetwork.Parse("3fff::/20"), "documentation (RFC 9637)"),
        (IPNetwork.Parse("fc00::/7"), "unique local, i.e. private (RFC 4193)"),
        (IPNetwork.Parse("fe80::/10"), "link-local (RFC 4291)"),
        (IPNetwork.Parse("fec0::/10"), "site-local, deprecated (RFC 3879)"),
        (IPNetwork.Parse("ff00::/8"), "multicast (RFC 4291)"),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96"); // RFC 6052: IPv4 in the last 32 bits
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16"); // RFC 3056: IPv4 in bits 16-47
    private static readonly IPNetwork GlobalUnicast = IPNetwork.Parse("2000::/3"); // RFC 4291 §2.4

    /// <summary>The address a socket should connect to: IPv4-mapped IPv6 (<c>::ffff:a.b.c.d</c>) becomes plain IPv4.</summary>
    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>Why a connection to <paramref name="address"/> is refused, or <see langword="null"/> when it is allowed.</summary>
    public string? RefusalReason(IPAddress address)
    {
        address = Normalize(address);
        foreach (var network in allowedNetworks)
        {
            if (network.BaseAddress.AddressFamily == address.AddressFamily && network.Contains(address))
            {
                return null;
            }
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => RefusalReasonV4(address),
            AddressFamily.InterNetworkV6 => RefusalReasonV6(address),
            _ => "not an IP address",
        };
    }

    private static string? RefusalReasonV4(IPAddress address)
    {
        foreach (var (network, reason) in RefusedV4)
        {
            if (network.Contains(address))
            {
                return reason;
            }
        }

        return null;
    }

    private static string? RefusalReasonV6(IPAddress address)
    {
        foreach (var (network, reason) in RefusedV6)
        {
            if (network.Contains(address))
            {
                return reason;
            }
        }

        var bytes = address.GetAddressBytes();
        if (Nat64.Contains(address))
        {
            return Embedded(new IPAddress(bytes.AsSpan(12, 4)), "NAT64");
        }

        if (SixToFour.Contains(address))
        {
            return Embedded(new IPAddress(bytes.AsSpan(2, 4)), "6to4");
        }

        return GlobalUnicast.Contains(address) ? null : "not global unicast (RFC 4291 §2.4)";
    }

    private static string? Embedded(IPAddress v4, string form) =>
        RefusalReasonV4(v4) is { } reason ? $"{form} form of {v4}, which is {reason}" : null;
}

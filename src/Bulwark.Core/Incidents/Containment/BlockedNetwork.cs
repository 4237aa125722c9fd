using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Bulwark.Core.Incidents.Containment;

/// <summary>
/// What a network block may name, and its one canonical form. Client addresses are matched as IPv4 when they are
/// IPv4-mapped IPv6 (<c>::ffff:a.b.c.d</c>), so a block written in that form (as audit logs show such clients) is stored
/// as the IPv4 network it means; otherwise it would be accepted and never match.
/// </summary>
/// <remarks>
/// Blocks are refused below a minimum prefix and above a ceiling of blocked IPv4 space, because the network block is
/// enforced before credentials are read: a holder of <c>incidents:manage</c> could otherwise cut off every administrator
/// (a few dozen large ranges cover everything but their own address) and nobody could lift it. Shutting everyone out is
/// what lockdown is for, and lockdown still admits administrators signed in with MFA.
/// </remarks>
internal static class BlockedNetwork
{
    /// <summary>Widest IPv4 block: a /8 (16.7 million addresses), about one large provider's allocation.</summary>
    public const int MinimumIPv4Prefix = 8;

    /// <summary>Widest IPv6 block: a /32, one regional registry allocation to a provider.</summary>
    public const int MinimumIPv6Prefix = 32;

    /// <summary>At most sixteen /8s worth of IPv4 space (1/16 of it) blocked at once, however the blocks are cut.</summary>
    public const long MaxBlockedIPv4Addresses = 1L << 28;

    private static readonly IPNetwork MappedRange = IPNetwork.Parse("::ffff:0.0.0.0/96");

    /// <summary>Parses an address or CIDR range into its canonical form (host bits cleared, IPv4-mapped as IPv4).</summary>
    public static Outcome<IPNetwork> Parse(string? text)
    {
        if (!TryParseAny(text, out var parsed))
        {
            return new Failure(ContainmentService.Invalid, 400, "network is an IP address or CIDR range (e.g. 203.0.113.0/24 or 2001:db8::/48).");
        }

        if (parsed.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 && parsed.PrefixLength < 96 && Overlaps(parsed, MappedRange))
        {
            return new Failure(ContainmentService.NetworkTooWide, 400,
                $"{parsed} contains every IPv4-mapped address (::ffff:0:0/96), that is every IPv4 client; block IPv4 networks in their IPv4 form.");
        }

        var network = Canonical(parsed);
        var minimum = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? MinimumIPv4Prefix : MinimumIPv6Prefix;
        return network.PrefixLength < minimum
            ? new Failure(ContainmentService.NetworkTooWide, 400,
                $"{network} is wider than a network block may be (IPv4 /{MinimumIPv4Prefix}, IPv6 /{MinimumIPv6Prefix} at most); to stop everyone, use lockdown.")
            : network;
    }

    /// <summary>Parses an address or range into its canonical form without the width rules (to lift or enforce blocks made earlier).</summary>
    public static bool TryParseCanonical(string? text, out IPNetwork network)
    {
        var ok = TryParseAny(text, out var parsed);
        network = ok ? Canonical(parsed) : default;
        return ok;
    }

    /// <summary>An IPv4-mapped IPv6 network (<c>::ffff:a.b.c.d/96+n</c>) as the IPv4 network it covers (<c>a.b.c.d/n</c>).</summary>
    public static IPNetwork Canonical(IPNetwork network) =>
        network.BaseAddress.IsIPv4MappedToIPv6 && network.PrefixLength >= 96
            ? new IPNetwork(network.BaseAddress.MapToIPv4(), network.PrefixLength - 96)
            : network;

    /// <summary>True when <paramref name="network"/> holds <paramref name="address"/>, comparing IPv4-mapped addresses as IPv4.</summary>
    public static bool Contains(IPNetwork network, IPAddress address) =>
        Canonical(network).Contains(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    /// <summary>How many IPv4 addresses <paramref name="network"/> covers (0 for IPv6).</summary>
    public static long IPv4Size(IPNetwork network) =>
        network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 1L << (32 - network.PrefixLength) : 0;

    /// <summary>
    /// Four decimal parts without leading zeros only: the parser also takes "10" (0.0.0.10), "127.1" and octal-looking
    /// "010.0.0.1", none of which a responder means to block.
    /// </summary>
    private static bool IsDottedQuad(ReadOnlySpan<char> text)
    {
        var parts = 0;
        foreach (var range in text.Split('.'))
        {
            var part = text[range];
            if (++parts > 4 || part.Length is 0 or > 3 || part.Length > 1 && part[0] == '0' || part.ContainsAnyExceptInRange('0', '9'))
            {
                return false;
            }
        }

        return parts == 4;
    }

    private static bool Overlaps(IPNetwork a, IPNetwork b) => a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress);

    private static bool TryParseAny(string? text, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 64)
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var host = slash < 0 ? text.AsSpan() : text.AsSpan(0, slash);
        if (!IPAddress.TryParse(host, out var address)
            || address.AddressFamily == AddressFamily.InterNetwork && !IsDottedQuad(host)
            || address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            return false;
        }

        var max = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        var prefix = max;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > max))
        {
            return false;
        }

        // "203.0.113.9/24" names the /24 it lies in: clear the host bits.
        var bytes = address.GetAddressBytes();
        for (var bit = prefix; bit < max; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        network = new IPNetwork(new IPAddress(bytes), prefix);
        return true;
    }
}

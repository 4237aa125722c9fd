using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Bulwark.Core.Incidents.Detection;

/// <summary>Client addresses as the ledger records them: canonical form and the network they belong to.</summary>
internal static class ClientNetwork
{
    /// <summary>Parses an address; IPv4-mapped IPv6 (dual-stack sockets report <c>::ffff:a.b.c.d</c>) becomes plain IPv4.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (string.IsNullOrWhiteSpace(text) || !IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }

        address = parsed.IsIPv4MappedToIPv6 ? parsed.MapToIPv4() : parsed;
        return true;
    }

    /// <summary>The network <paramref name="address"/> lies in, as CIDR text: e.g. <c>203.0.113.0/24</c>, <c>2001:db8:1:2::/64</c>.</summary>
    public static string NetworkOf(IPAddress address, int ipv4PrefixLength, int ipv6PrefixLength)
    {
        var prefix = address.AddressFamily == AddressFamily.InterNetwork ? ipv4PrefixLength : ipv6PrefixLength;
        var bytes = address.GetAddressBytes();
        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return string.Create(CultureInfo.InvariantCulture, $"{new IPAddress(bytes)}/{prefix}");
    }
}

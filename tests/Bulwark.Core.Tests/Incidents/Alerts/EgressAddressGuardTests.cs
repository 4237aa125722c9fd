using System.Net;
using Bulwark.Core.Incidents.Alerts;

namespace Bulwark.Core.Tests.Incidents.Alerts;

public sealed class EgressAddressGuardTests
{
    private static readonly EgressAddressGuard Guard = new([]);

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("::1")]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("::")]
    [InlineData("10.0.0.1")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.255")]
    [InlineData("169.254.169.254")]
    [InlineData("192.0.0.8")]
    [InlineData("192.0.2.1")]
    [InlineData("198.18.0.1")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("fe80::1")]
    [InlineData("fec0::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")] // IPv4-mapped
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::ffff:0.0.0.0")]
    [InlineData("::127.0.0.1")] // IPv4-compatible (deprecated)
    [InlineData("::ffff:0:7f00:1")] // IPv4-translated (SIIT)
    [InlineData("64:ff9b::7f00:1")] // NAT64 of 127.0.0.1
    [InlineData("64:ff9b::a00:1")] // NAT64 of 10.0.0.1
    [InlineData("64:ff9b:1::1")] // local-use NAT64
    [InlineData("2002:7f00:1::1")] // 6to4 of 127.0.0.1
    [InlineData("2002:a9fe:a9fe::")] // 6to4 of 169.254.169.254
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2")] // Teredo
    [InlineData("2001:db8::1")]
    [InlineData("100::1")]
    [InlineData("3fff::1")]
    public void RefusalReason_NonPublicAddress_Refused(string address)
    {
        Assert.NotNull(Guard.RefusalReason(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("1.1.1.1")]
    [InlineData("172.32.0.1")] // just outside 172.16/12
    [InlineData("100.128.0.1")] // just outside 100.64/10
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:93.184.216.34")]
    [InlineData("64:ff9b::5db8:d822")] // NAT64 of 93.184.216.34
    [InlineData("2002:5db8:d822::1")] // 6to4 of 93.184.216.34
    public void RefusalReason_PublicAddress_Allowed(string address)
    {
        Assert.Null(Guard.RefusalReason(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("10.20.0.0/16", "10.20.3.4", true)]
    [InlineData("10.20.0.0/16", "::ffff:10.20.3.4", true)]
    [InlineData("10.20.0.0/16", "10.21.0.1", false)]
    [InlineData("10.20.0.0/16", "127.0.0.1", false)]
    [InlineData("127.0.0.1/32", "127.0.0.2", false)]
    [InlineData("fd00:1::/32", "fd00:1::5", true)]
    [InlineData("fd00:1::/32", "::1", false)]
    public void RefusalReason_AllowedNetwork_OpensOnlyThatNetwork(string network, string address, bool allowed)
    {
        var guard = new EgressAddressGuard([IPNetwork.Parse(network)]);

        Assert.Equal(allowed, guard.RefusalReason(IPAddress.Parse(address)) is null);
    }

    [Fact]
    public void Normalize_MappedAddress_BecomesIPv4()
    {
        Assert.Equal(IPAddress.Loopback, EgressAddressGuard.Normalize(IPAddress.Parse("::ffff:127.0.0.1")));
    }
}

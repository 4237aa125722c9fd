using System.Net;
using Bulwark.Server.Hosting;

namespace Bulwark.Server.Tests.Hosting;

public sealed class AnonymousPartitionTests
{
    [Fact]
    public void AnonymousPartition_Ipv6AddressesInSameSlash64_ShareOneBucket()
    {
        // An attacker rotating the interface identifier (RFC 8981) must not get a fresh bucket per address.
        var a = RateLimiting.AnonymousPartition(IPAddress.Parse("2001:db8:1:2:aaaa:bbbb:cccc:dddd"));
        var b = RateLimiting.AnonymousPartition(IPAddress.Parse("2001:db8:1:2::1"));
        var c = RateLimiting.AnonymousPartition(IPAddress.Parse("2001:db8:1:2:ffff:ffff:ffff:ffff%3"));
        Assert.Equal(a, b);
        Assert.Equal(a, c);
        Assert.Equal("ip:2001:db8:1:2::/64", a);
    }

    [Fact]
    public void AnonymousPartition_DifferentSlash64_AreSeparate() =>
        Assert.NotEqual(
            RateLimiting.AnonymousPartition(IPAddress.Parse("2001:db8:1:2::1")),
            RateLimiting.AnonymousPartition(IPAddress.Parse("2001:db8:1:3::1")));

    [Fact]
    public void AnonymousPartition_Ipv4_IsPerAddressAndMappedFormIsTheSame()
    {
        Assert.Equal("ip:192.0.2.7", RateLimiting.AnonymousPartition(IPAddress.Parse("192.0.2.7")));
        Assert.Equal("ip:192.0.2.7", RateLimiting.AnonymousPartition(IPAddress.Parse("::ffff:192.0.2.7")));
        Assert.NotEqual(RateLimiting.AnonymousPartition(IPAddress.Parse("192.0.2.7")), RateLimiting.AnonymousPartition(IPAddress.Parse("192.0.2.8")));
    }

    [Fact]
    public void AnonymousPartition_NoAddress_IsUnknownBucket() =>
        Assert.Equal("ip:unknown", RateLimiting.AnonymousPartition(null));
}

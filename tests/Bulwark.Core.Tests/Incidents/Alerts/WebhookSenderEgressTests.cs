using System.Net;
using Bulwark.Core.Incidents.Alerts;
using static Bulwark.Core.Tests.Incidents.Alerts.AlertTestKit;

namespace Bulwark.Core.Tests.Incidents.Alerts;

/// <summary>
/// SSRF attacks on the webhook sender: each URL's host is allow-listed, so only the address guard stands between the
/// request and an internal service. Where a real loopback receiver is listening, it must see no connection at all.
/// </summary>
public sealed class WebhookSenderEgressTests
{
    [Fact]
    public async Task SendAsync_LoopbackExplicitlyAllowed_Delivered()
    {
        // The control for the refusals below: the same receiver is reachable once its network is allowed.
        await using var listener = TlsTestListener.Start(ListenerReply.Ok);
        var options = Options(Url("127.0.0.1", listener.Port), "127.0.0.0/8");
        using var sender = Sender(options);

        Assert.Equal(WebhookDeliveryStatus.Delivered, (await sender.SendAsync(options.Webhooks[0], Alert(), CancellationToken.None)).Status);
        Assert.Single(listener.Requests);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("[::ffff:127.0.0.1]")]
    [InlineData("0.0.0.0")]
    [InlineData("2130706433")] // 127.0.0.1 as one decimal number
    [InlineData("0x7f.1")] // and in hex shorthand
    public async Task SendAsync_LoopbackReceiverListening_RefusedWithoutConnecting(string host)
    {
        await using var listener = TlsTestListener.Start(ListenerReply.Ok);
        var options = Options(Url(host, listener.Port));
        using var sender = Sender(options);

        var result = await sender.SendAsync(options.Webhooks[0], Alert(), CancellationToken.None);

        Assert.Equal(WebhookDeliveryStatus.AddressRefused, result.Status);
        Assert.False(result.IsRetryable);
        Assert.Equal(0, await listener.ConnectionsBeforeProbeAsync());
    }

    [Fact]
    public async Task SendAsync_IPv6LoopbackReceiverListening_RefusedWithoutConnecting()
    {
        await using var listener = TlsTestListener.Start(ListenerReply.Ok, IPAddress.IPv6Loopback);
        var options = Options(Url("[::1]", listener.Port));
        using var sender = Sender(options);

        var result = await sender.SendAsync(options.Webhooks[0], Alert(), CancellationToken.None);

        Assert.Equal(WebhookDeliveryStatus.AddressRefused, result.Status);
        Assert.Equal(0, await listener.ConnectionsBeforeProbeAsync());
    }

    [Theory]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("10.0.0.1", "RFC 1918")]
    [InlineData("192.168.1.1", "RFC 1918")]
    [InlineData("172.16.0.1", "RFC 1918")]
    [InlineData("100.64.0.1", "RFC 6598")]
    [InlineData("[fc00::1]", "unique local")]
    [InlineData("[fd00:ec2::254]", "unique local")]
    [InlineData("[fe80::1]", "link-local")]
    [InlineData("[::ffff:169.254.169.254]", "link-local")]
    [InlineData("[::ffff:10.0.0.1]", "RFC 1918")]
    [InlineData("[64:ff9b::a9fe:a9fe]", "NAT64")]
    [InlineData("[2002:a9fe:a9fe::1]", "6to4")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("[ff02::1]", "multicast")]
    public async Task SendAsync_InternalAddress_Refused(string host, string reason)
    {
        var options = Options(Url(host, 443));
        using var sender = Sender(options);

        var result = await sender.SendAsync(options.Webhooks[0], Alert(), CancellationToken.None);

        Assert.Equal(WebhookDeliveryStatus.AddressRefused, result.Status);
        Assert.Contains(reason, result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_NameResolvingToMetadataAddress_Refused()
    {
        var options = Options("https://alerts.bulwark.test/hook");
        using var sender = Sender(options, resolve: (_, _) => Task.FromResult(new[] { IPAddress.Parse("169.254.169.254") }));

        var result = await sender.SendAsync(options.Webhooks[0], Alert(), CancellationToken.None);

        Assert.Equal(WebhookDeliveryStatus.AddressRefused, result.Status);
        Assert.Contains("169.254.169.254", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_NameResolvingToPublicAndLoopback_RefusedWithoutConnecting()
    {
        // A hostile DNS answer mixing a public address with the internal target: every answer must pass, not just one.
        await using var listener = TlsTestListener.Start(ListenerReply.Ok);
        var options = Options(Url("alerts.bulwark.test", listener.Port));
        using var sender = Sender(options, resolve: (_, _) => Task.FromResult(new[] { IPAddress.Parse("93.184.216.34"), IPAddress.Loopback }));

        var result = await sender.SendAsync(options.Webhooks[0], Alert(), CancellationToken.None);

        Assert.Equal(WebhookDeliveryStatus.AddressRefused, result.Status);
        Assert.Equal(0, await listener.ConnectionsBeforeProbeAsync());
    }

    [Fact]
    public async Task SendAsync_RebindingResolver_ConnectsOnlyToTheAnswerItChecked()
    {
        // First answer allowed, every later one internal: a sender that checked with one lookup and let the HTTP stack
        // look up again would connect to the second answer. Ours resolves once per connection and uses that answer.
        await using var listener = TlsTestListener.Start(ListenerReply.Ok);
        var options = ReceiverOptions(listener);
        var lookups = 0;
        using var sender = Sender(options, resolve: (_, _) => Task.FromResult(
            Interlocked.Increment(ref lookups) == 1 ? new[] { IPAddress.Loopback } : [IPAddress.Parse("10.0.0.1")]));

        var result = await sender.SendAsync(options.Webhooks[0], Alert(), CancellationToken.None);

        Assert.Equal(WebhookDeliveryStatus.Delivered, result.Status);
        Assert.Equal(1, lookups);
    }

    [Fact]
    public async Task SendAsync_OtherPrivateNetworkAllowed_LoopbackStillRefused()
    {
        await using var listener = TlsTestListener.Start(ListenerReply.Ok);
        var options = Options(Url("127.0.0.1", listener.Port), "10.0.0.0/8", "::1/128");
        using var sender = Sender(options);

        var result = await sender.SendAsync(options.Webhooks[0], Alert(), CancellationToken.None);

        Assert.Equal(WebhookDeliveryStatus.AddressRefused, result.Status);
        Assert.Equal(0, await listener.ConnectionsBeforeProbeAsync());
    }

    [Fact]
    public async Task SendAsync_HostNotOnAllowList_RefusedWithoutConnecting()
    {
        await using var listener = TlsTestListener.Start(ListenerReply.Ok);
        var options = ReceiverOptions(listener);
        options.AllowedHosts.Clear();
        options.AllowedHosts.Add("other.bulwark.test");
        using var sender = Sender(options);

        var result = await sender.SendAsync(options.Webhooks[0], Alert(), CancellationToken.None);

        Assert.Equal(WebhookDeliveryStatus.TargetRefused, result.Status);
        Assert.Equal(0, await listener.ConnectionsBeforeProbeAsync());
    }

    [Theory]
    [InlineData("http://siem.bulwark.test:{0}/hook")]
    [InlineData("https://user:pass@siem.bulwark.test:{0}/hook")]
    public async Task SendAsync_PlainHttpOrUserInfo_RefusedWithoutConnecting(string template)
    {
        await using var listener = TlsTestListener.Start(ListenerReply.Ok);
        var options = ReceiverOptions(listener);
        options.Webhooks[0].Url = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, listener.Port);
        using var sender = Sender(options);

        var result = await sender.SendAsync(options.Webhooks[0], Alert(), CancellationToken.None);

        Assert.Equal(WebhookDeliveryStatus.TargetRefused, result.Status);
        Assert.Equal(0, await listener.ConnectionsBeforeProbeAsync());
    }
}

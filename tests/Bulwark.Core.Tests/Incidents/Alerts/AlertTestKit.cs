using System.Net;
using System.Security.Cryptography;
using Bulwark.Core.Incidents.Alerts;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Core.Tests.Incidents.Alerts;

/// <summary>Alerts, options and senders wired to the in-process test CA.</summary>
internal static class AlertTestKit
{
    /// <summary>Stands for the token chat webhooks carry in their path: it must never reach a log line.</summary>
    public const string PathToken = "T0KEN-in-the-path-8c1f";

    public static readonly string Secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));

    public static Alert Alert(string id = "alert-1", string title = "Model signature mismatch", int detailBytes = 0) =>
        new(id, "registry.signature-invalid", "critical", title, "inc-42", new DateTimeOffset(2026, 11, 1, 11, 59, 0, TimeSpan.Zero),
            new Dictionary<string, string> { ["model"] = "fraud", ["version"] = "3", ["padding"] = new string('p', detailBytes) });

    public static string Url(string host, int port) => $"https://{host}:{port}/hooks/{PathToken}";

    /// <summary>Options for one webhook at <paramref name="url"/>, its host allow-listed, and the given networks allowed.</summary>
    public static AlertOptions Options(string url, params string[] allowedNetworks)
    {
        var host = new Uri(url).IdnHost;
        return new AlertOptions
        {
            Webhooks = [new WebhookTarget { Url = url, Name = "siem", Secret = Secret }],
            AllowedHosts = [host],
            AllowedNetworks = [.. allowedNetworks],
        };
    }

    /// <summary>A receiver reached by name: <see cref="AlertTestCertificates.ReceiverHost"/> resolves to the listener.</summary>
    public static AlertOptions ReceiverOptions(TlsTestListener listener) =>
        Options(Url(AlertTestCertificates.ReceiverHost, listener.Port), listener.Address + (listener.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? "/32" : "/128"));

    public static WebhookSender Sender(AlertOptions options, TimeProvider? time = null, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null) =>
        new(options, time ?? Clock(), AlertTestCertificates.TrustedRoots, resolve ?? ResolveTestNames);

    /// <summary>Test names resolve to loopback; everything else goes to the system resolver.</summary>
    public static Task<IPAddress[]> ResolveTestNames(string host, CancellationToken cancellationToken) =>
        host == AlertTestCertificates.ReceiverHost ? Task.FromResult(new[] { IPAddress.Loopback }) : Dns.GetHostAddressesAsync(host, cancellationToken);
}

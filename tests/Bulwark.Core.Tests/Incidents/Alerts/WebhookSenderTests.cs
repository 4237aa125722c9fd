using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Incidents.Alerts;
using static Bulwark.Core.Tests.Incidents.Alerts.AlertTestKit;

namespace Bulwark.Core.Tests.Incidents.Alerts;

/// <summary>Delivery to a real HTTPS receiver on loopback (allowed through AllowedNetworks): what is sent, and the caps.</summary>
public sealed class WebhookSenderTests
{
    [Fact]
    public async Task SendAsync_AllowedReceiver_PostsSignedAlertJson()
    {
        await using var listener = TlsTestListener.Start(ListenerReply.Ok);
        var options = ReceiverOptions(listener);
        var time = Clock();
        var lookups = new List<string>();
        using var sender = Sender(options, time, (host, ct) =>
        {
            lookups.Add(host);
            return ResolveTestNames(host, ct);
        });
        var alert = Alert();

        var result = await sender.SendAsync(options.Webhooks[0], alert, CancellationToken.None);

        Assert.Equal(WebhookDeliveryStatus.Delivered, result.Status);
        Assert.Equal(200, result.StatusCode);
        var request = Assert.Single(listener.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/hooks/" + PathToken, request.Target);
        Assert.Equal("application/json", request.Header("Content-Type"));

        // Connected to the address we resolved and checked, while Host (and SNI, or TLS would have failed) kept the name.
        Assert.Equal([AlertTestCertificates.ReceiverHost], lookups);
        Assert.Equal($"{AlertTestCertificates.ReceiverHost}:{listener.Port}", request.Header("Host"));

        var sent = JsonSerializer.Deserialize<Alert>(request.Body, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal(alert.Id, sent.Id);
        Assert.Equal(alert.RuleId, sent.RuleId);
        Assert.Equal(alert.Severity, sent.Severity);
        Assert.Equal(alert.Title, sent.Title);
        Assert.Equal(alert.IncidentId, sent.IncidentId);
        Assert.Equal(alert.At, sent.At);
        Assert.Equal(alert.Details, sent.Details);

        // Verified independently of the production code: Standard Webhooks HMAC-SHA256 over "id.timestamp.body".
        Assert.Equal(alert.Id, request.Header("webhook-id"));
        Assert.Equal(time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), request.Header("webhook-timestamp"));
        Assert.Equal(ExpectedSignature(request, request.Body), request.Header("webhook-signature"));
    }

    [Fact]
    public async Task SendAsync_SignatureCheckedAgainstTamperedBody_DoesNotVerify()
    {
        await using var listener = TlsTestListener.Start(ListenerReply.Ok);
        var options = ReceiverOptions(listener);
        using var sender = Sender(options);

        await sender.SendAsync(options.Webhooks[0], Alert(), CancellationToken.None);

        var request = Assert.Single(listener.Requests);
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(request.Body).Replace("critical", "low", StringComparison.Ordinal));
        Assert.NotEqual(ExpectedSignature(request, tampered), request.Header("webhook-signature"));
    }

    [Fact]
    public async Task SendAsync_NoSecret_SendsNoSignature()
    {
        await using var listener = TlsTestListener.Start(ListenerReply.Ok);
        var options = ReceiverOptions(listener);
        options.Webhooks[0].Secret = null;
        using var sender = Sender(options);

        Assert.Equal(WebhookDeliveryStatus.Delivered, (await sender.SendAsync(options.Webhooks[0], Alert(), CancellationToken.None)).Status);
        Assert.False(Assert.Single(listener.Requests).Headers.ContainsKey("webhook-signature"));
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(303)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task SendAsync_ReceiverRedirects_FailsAndNeverFollows(int status)
    {
        await using var target = TlsTestListener.Start(ListenerReply.Ok);
        await using var listener = TlsTestListener.Start(ListenerReply.Redirect(status, $"https://127.0.0.1:{target.Port}/steal"));
        var options = ReceiverOptions(listener);
        options.AllowedHosts.Add("127.0.0.1");
        using var sender = Sender(options);

        var result = await sender.SendAsync(options.Webhooks[0], Alert(), CancellationToken.None);

        Assert.Equal(WebhookDeliveryStatus.Redirected, result.Status);
        Assert.Equal(status, result.StatusCode);
        Assert.False(result.IsRetryable);
        Assert.Equal(0, await target.ConnectionsBeforeProbeAsync());
    }

    [Fact]
    public async Task SendAsync_ReceiverAnswersTenMegabytes_ReadStopsAtCap()
    {
        await using var listener = TlsTestListener.Start(ListenerReply.Body(10 * 1024 * 1024));
        var options = ReceiverOptions(listener);
        using var sender = Sender(options);

        var result = await sender.SendAsync(options.Webhooks[0], Alert(), CancellationToken.None);

        Assert.Equal(WebhookDeliveryStatus.Delivered, result.Status);
        Assert.True(result.ResponseTruncated);
        Assert.Equal(options.MaxResponseBytes, result.ResponseBytesRead);
    }

    [Fact]
    public async Task SendAsync_ReceiverNeverAnswers_TimesOut()
    {
        await using var listener = TlsTestListener.Start(ListenerReply.Hanging);
        var options = ReceiverOptions(listener);
        var time = Clock();
        using var sender = Sender(options, time);

        var sending = sender.SendAsync(options.Webhooks[0], Alert(), CancellationToken.None);
        await listener.FirstRequest.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(options.Timeout);
        var result = await sending.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(WebhookDeliveryStatus.Timeout, result.Status);
        Assert.True(result.IsRetryable);
    }

    [Fact]
    public async Task SendAsync_AlertLargerThanCap_RefusedBeforeConnecting()
    {
        await using var listener = TlsTestListener.Start(ListenerReply.Ok);
        var options = ReceiverOptions(listener);
        options.MaxPayloadBytes = 4096;
        using var sender = Sender(options);

        var result = await sender.SendAsync(options.Webhooks[0], Alert(detailBytes: 4096), CancellationToken.None);

        Assert.Equal(WebhookDeliveryStatus.PayloadTooLarge, result.Status);
        Assert.Equal(0, await listener.ConnectionsBeforeProbeAsync());
    }

    [Fact]
    public async Task SendAsync_CertificateFromUntrustedCa_TlsFails()
    {
        // Production trust (the system store) does not know the test CA: the receiver's certificate must be refused.
        await using var listener = TlsTestListener.Start(ListenerReply.Ok);
        var options = ReceiverOptions(listener);
        using var sender = new WebhookSender(options, Clock(), trustedRoots: null, resolve: ResolveTestNames);

        var result = await sender.SendAsync(options.Webhooks[0], Alert(), CancellationToken.None);

        Assert.Equal(WebhookDeliveryStatus.TlsFailed, result.Status);
        Assert.Empty(listener.Requests);
    }

    [Fact]
    public async Task SendAsync_CertificateForAnotherHost_TlsFails()
    {
        await using var listener = TlsTestListener.Start(ListenerReply.Ok, certificate: AlertTestCertificates.Server("other.bulwark.test"));
        var options = ReceiverOptions(listener);
        using var sender = Sender(options);

        var result = await sender.SendAsync(options.Webhooks[0], Alert(), CancellationToken.None);

        Assert.Equal(WebhookDeliveryStatus.TlsFailed, result.Status);
        Assert.Empty(listener.Requests);
    }

    [Theory]
    [InlineData(400, false)]
    [InlineData(404, false)]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    public async Task SendAsync_ReceiverAnswersError_FailsWithRetryability(int status, bool retryable)
    {
        await using var listener = TlsTestListener.Start(ListenerReply.Status(status));
        var options = ReceiverOptions(listener);
        using var sender = Sender(options);

        var result = await sender.SendAsync(options.Webhooks[0], Alert(), CancellationToken.None);

        Assert.Equal(WebhookDeliveryStatus.HttpError, result.Status);
        Assert.Equal(status, result.StatusCode);
        Assert.Equal(retryable, result.IsRetryable);
    }

    [Fact]
    public async Task SendAsync_AlertIdUnfitForHeader_SentAsDigest()
    {
        await using var listener = TlsTestListener.Start(ListenerReply.Ok);
        var options = ReceiverOptions(listener);
        using var sender = Sender(options);

        var result = await sender.SendAsync(options.Webhooks[0], Alert(id: "a\r\nX-Injected: 1"), CancellationToken.None);

        Assert.Equal(WebhookDeliveryStatus.Delivered, result.Status);
        var request = Assert.Single(listener.Requests);
        Assert.False(request.Headers.ContainsKey("X-Injected"));
        Assert.StartsWith("msg_", request.Header("webhook-id"), StringComparison.Ordinal);
        Assert.Equal(ExpectedSignature(request, request.Body), request.Header("webhook-signature"));
    }

    private static string ExpectedSignature(ReceivedRequest request, byte[] body)
    {
        var key = Convert.FromBase64String(Secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes($"{request.Header("webhook-id")}.{request.Header("webhook-timestamp")}.").Concat(body).ToArray();
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }
}

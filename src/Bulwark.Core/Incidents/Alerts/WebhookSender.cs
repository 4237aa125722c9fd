using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Incidents.Alerts;

/// <summary>
/// Posts an alert to one webhook, hardened against server-side request forgery (OWASP SSRF Prevention Cheat Sheet):
/// https only, no redirects, no proxy, and the host name is resolved here, every address checked by
/// <see cref="EgressAddressGuard"/>, and the socket connected to the address that was checked, so DNS rebinding between
/// check and connect cannot happen. TLS still uses the host name (SNI, certificate name check, Host header). Body,
/// response and time are capped.
/// </summary>
internal sealed class WebhookSender : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly ProductInfoHeaderValue UserAgent = new("Bulwark-Alerts", "1");

    private readonly AlertOptions _options;
    private readonly EgressAddressGuard _guard;
    private readonly TimeProvider _time;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;
    private readonly HttpClient _client;

    public WebhookSender(IOptions<AlertOptions> options, TimeProvider time)
        : this(options.Value, time, trustedRoots: null, resolve: null)
    {
    }

    /// <param name="trustedRoots">Tests only: trust these roots instead of the system store (names are still checked).</param>
    /// <param name="resolve">Tests only: the DNS lookup; the default is the system resolver.</param>
    internal WebhookSender(
        AlertOptions options,
        TimeProvider time,
        X509Certificate2Collection? trustedRoots,
        Func<string, CancellationToken, Task<IPAddress[]>>? resolve)
    {
        _options = options;
        _time = time;
        _guard = new EgressAddressGuard([.. options.AllowedNetworks.Select(n => IPNetwork.Parse(n.Trim()))]);
        _resolve = resolve ?? Dns.GetHostAddressesAsync;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false, // through a proxy, the proxy would pick the address and bypass the guard
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectCallback = ConnectAsync,
            ConnectTimeout = options.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2), // new connections resolve and are checked again
            MaxResponseHeadersLength = 16, // KiB
            MaxResponseDrainSize = 0, // an unread response body closes the connection instead of being downloaded
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateChainPolicy = trustedRoots is null ? null : CustomTrust(trustedRoots),
            },
        };
        _client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    /// <summary>Posts <paramref name="alert"/> as JSON once; never throws except when <paramref name="cancellationToken"/> fires.</summary>
    public async Task<WebhookResult> SendAsync(WebhookTarget target, Alert alert, CancellationToken cancellationToken)
    {
        if (AlertOptionsValidator.UrlProblem(target.Url, _options.AllowedHosts, out var uri) is { } problem)
        {
            return new WebhookResult(WebhookDeliveryStatus.TargetRefused, Detail: "URL " + problem);
        }

        byte[]? key = null;
        if (target.Secret is not null && !WebhookSignature.TryParseSecret(target.Secret, out key))
        {
            return new WebhookResult(WebhookDeliveryStatus.TargetRefused, Detail: "the signing secret is malformed");
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(alert, Json);
        if (body.Length > _options.MaxPayloadBytes)
        {
            return new WebhookResult(WebhookDeliveryStatus.PayloadTooLarge, Detail: $"{body.Length} bytes, limit {_options.MaxPayloadBytes}");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.UserAgent.Add(UserAgent);
        var id = MessageId(alert.Id);
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp);
        if (key is not null)
        {
            request.Headers.Add("webhook-signature", WebhookSignature.Sign(key, id, timestamp, body));
            CryptographicOperations.ZeroMemory(key);
        }

        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var (read, truncated) = await ReadCappedAsync(response.Content, linked.Token, cancellationToken);
            var code = (int)response.StatusCode;
            var status = code switch
            {
                >= 200 and < 300 => WebhookDeliveryStatus.Delivered,
                >= 300 and < 400 => WebhookDeliveryStatus.Redirected,
                _ => WebhookDeliveryStatus.HttpError,
            };
            return new WebhookResult(status, code, null, read, truncated);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new WebhookResult(WebhookDeliveryStatus.Timeout, Detail: $"no answer within {_options.Timeout}");
        }
        catch (HttpRequestException ex) when (ex.InnerException is EgressRefusedException refused)
        {
            return new WebhookResult(refused.Status, Detail: refused.Message);
        }
        catch (HttpRequestException ex)
        {
            // The exception text is not passed on: only the category, which cannot carry URL or response content.
            var status = ex.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => WebhookDeliveryStatus.ResolutionFailed,
                HttpRequestError.SecureConnectionError => WebhookDeliveryStatus.TlsFailed,
                _ => WebhookDeliveryStatus.ConnectionFailed,
            };
            return new WebhookResult(status, Detail: ex.HttpRequestError.ToString());
        }
    }

    public void Dispose() => _client.Dispose();

    // Standard Webhooks ids are opaque strings; an id that could not travel in a header is replaced by its digest.
    private static string MessageId(string alertId) =>
        alertId.Length is > 0 and <= 128 && alertId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')
            ? alertId
            : "msg_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(alertId)))[..32];

    private static X509ChainPolicy CustomTrust(X509Certificate2Collection roots)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(roots);
        return policy;
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await _resolve(host, cancellationToken);
            }
            catch (SocketException ex)
            {
                throw new EgressRefusedException(WebhookDeliveryStatus.ResolutionFailed, $"{host} did not resolve ({ex.SocketErrorCode})");
            }
        }

        if (addresses.Length == 0)
        {
            throw new EgressRefusedException(WebhookDeliveryStatus.ResolutionFailed, $"{host} resolved to no address");
        }

        // Every answer is checked, not just the one used: an attacker's DNS may mix a public and a private address.
        var checkedAddresses = addresses.Select(EgressAddressGuard.Normalize).ToArray();
        foreach (var address in checkedAddresses)
        {
            if (_guard.RefusalReason(address) is { } reason)
            {
                throw new EgressRefusedException(WebhookDeliveryStatus.AddressRefused,
                    $"{host} resolves to {address}, which is {reason}; list its network in {AlertOptions.Section}:AllowedNetworks if this receiver is intended");
            }
        }

        SocketException? last = null;
        foreach (var address in checkedAddresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }

    private async Task<(int Read, bool Truncated)> ReadCappedAsync(HttpContent content, CancellationToken token, CancellationToken callerToken)
    {
        // Read one byte past the cap to know whether there was more; never read further (the drain size is 0 too).
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(_options.MaxResponseBytes + 1, 16 * 1024));
        var read = 0;
        try
        {
            await using var stream = await content.ReadAsStreamAsync(token);
            while (read <= _options.MaxResponseBytes)
            {
                var chunk = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, _options.MaxResponseBytes + 1 - read)), token);
                if (chunk == 0)
                {
                    return (read, false);
                }

                read += chunk;
            }

            return (_options.MaxResponseBytes, true);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException
            || (ex is OperationCanceledException && !callerToken.IsCancellationRequested))
        {
            // The status line already arrived and decides the outcome; a body cut short or too slow is only noted.
            return (Math.Min(read, _options.MaxResponseBytes), true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

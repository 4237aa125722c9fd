using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Headers;
using Microsoft.IdentityModel.Tokens;

namespace Bulwark.Core.Identity.Tokens;

/// <summary>
/// Keys of an external issuer fetched from its https JWKS endpoint: no redirects, 64 KiB cap, 5 s timeout, refreshed
/// on an interval in the background, and the last good set kept when the provider is unreachable or answers garbage.
/// </summary>
/// <remarks>
/// Call <see cref="RefreshAsync"/> once at startup; until the first success every lookup fails (fail closed).
/// An unknown <c>kid</c> triggers an early background refresh, at most once a minute, so a provider's key rotation
/// is picked up without letting unknown-kid tokens turn us into a request amplifier.
/// </remarks>
internal sealed class HttpsJwksSource : IJwksSource
{
    public const int MaxResponseBytes = 64 * 1024;
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DefaultRefreshInterval = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MinUnknownKidRefreshInterval = TimeSpan.FromMinutes(1);

    private readonly Uri _uri;
    private readonly HttpClient _client;
    private readonly TimeProvider _time;
    private readonly TimeSpan _refreshInterval;
    private readonly Lock _gate = new();
    private Task<bool>? _inFlight;
    private volatile Dictionary<string, SecurityKey> _keys = new(StringComparer.Ordinal);
    private long _nextRefreshTicks;
    private long _lastUnknownKidRefreshTicks = long.MinValue;

    /// <exception cref="ArgumentException">The URI is not absolute https.</exception>
    public HttpsJwksSource(Uri uri, HttpClient client, TimeProvider time, TimeSpan? refreshInterval = null)
    {
        // RFC 8725 §3.10 / RFC 7517 §8: keys fetched over plain http can be swapped by anyone on the path.
        if (!uri.IsAbsoluteUri || uri.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException("A JWKS URL must be an absolute https URL.", nameof(uri));
        _uri = uri;
        _client = client;
        _time = time;
        _refreshInterval = refreshInterval ?? DefaultRefreshInterval;
    }

    /// <summary>Why the last refresh failed, for health checks; null after a success.</summary>
    public string? LastFailure { get; private set; }

    public bool TryGetKey(string kid, [MaybeNullWhen(false)] out SecurityKey key)
    {
        var now = _time.GetUtcNow().UtcTicks;
        if (now >= Interlocked.Read(ref _nextRefreshTicks))
            StartBackgroundRefresh();
        if (_keys.TryGetValue(kid, out key))
            return true;

        var last = Interlocked.Read(ref _lastUnknownKidRefreshTicks);
        if (now - last >= MinUnknownKidRefreshInterval.Ticks
            && Interlocked.CompareExchange(ref _lastUnknownKidRefreshTicks, now, last) == last)
            StartBackgroundRefresh();
        return false;
    }

    public Task<bool> RefreshAsync(CancellationToken cancellationToken = default)
    {
        // Single flight: concurrent callers share the refresh already running.
        lock (_gate)
        {
            if (_inFlight is { IsCompleted: false } running)
                return running;
            _inFlight = RefreshCoreAsync(cancellationToken);
            return _inFlight;
        }
    }

    private async Task<bool> RefreshCoreAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        var failure = await FetchAsync(cancellationToken);
        var wait = failure is null ? _refreshInterval : RetryAfterFailure;
        Interlocked.Exchange(ref _nextRefreshTicks, (_time.GetUtcNow() + wait).UtcTicks);
        LastFailure = failure;
        return failure is null;
    }

    private void StartBackgroundRefresh()
    {
        // Push the next attempt out first so a burst of requests starts one refresh, not one each.
        Interlocked.Exchange(ref _nextRefreshTicks, (_time.GetUtcNow() + RetryAfterFailure).UtcTicks);
        _ = RefreshAsync(CancellationToken.None);
    }

    /// <summary>Fetches and swaps the key set; returns a failure reason or null.</summary>
    private async Task<string?> FetchAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, _uri);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);

            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400)
                return $"redirect ({status}) refused";
            if (!response.IsSuccessStatusCode)
                return $"status {status}";
            // A client configured to follow redirects would have done so silently: refuse what it followed.
            if (response.RequestMessage?.RequestUri is { } final && final != _uri)
                return "redirect refused";
            if (response.Content.Headers.ContentLength > MaxResponseBytes)
                return "response too large";

            var body = await ReadCappedAsync(response.Content, linked.Token);
            if (body is null)
                return "response too large";
            if (JwksParser.Parse(body) is not { Count: > 0 } keys)
                return "not a JWK Set with usable keys";
            _keys = keys;
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "timeout";
        }
        catch (HttpRequestException e)
        {
            return $"request failed ({e.HttpRequestError})";
        }
        catch (IOException)
        {
            return "connection failed";
        }
        catch (InvalidOperationException)
        {
            return "request could not be sent";
        }
    }

    private static async Task<byte[]?> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxResponseBytes + 1];
        var total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
            if (total > MaxResponseBytes)
                return null;
        }

        return buffer[..total];
    }
}

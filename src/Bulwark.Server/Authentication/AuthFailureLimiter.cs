using System.Collections.Concurrent;
using Bulwark.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Bulwark.Server.Authentication;

/// <summary>
/// Counts failed API-key authentications per client partition (an IPv4 address or an IPv6 /64, see
/// <see cref="RateLimiting.AnonymousPartition"/>) in a fixed one-minute window. Authentication runs before the per-key
/// rate limiter (the key is its partition), so without this an unauthenticated caller could make the server do one key
/// lookup and write one audit row per request, without bound (OWASP ASVS v5 V6.3.1, anti-automation / brute force).
/// <para>
/// A fixed window (not sliding) keeps the state at one counter per partition; a caller can at most double the limit by
/// straddling a window boundary, which still bounds the audit rows per minute.
/// </para>
/// <para>
/// Memory is bounded: at most <see cref="RateLimitOptions.AuthFailureMaxPartitions"/> partitions are tracked. When the
/// table is full (after expired windows are swept), the failures of untracked partitions share one overflow partition,
/// so an attacker spreading over many networks still gets throttled as a group instead of growing the table.
/// </para>
/// </summary>
internal sealed class AuthFailureLimiter
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    public const string OverflowPartition = "overflow";

    // Sweeping is O(partitions); under a flood of fresh partitions do it at most once per second.
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, FailureWindow> _windows = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly int _limit;
    private readonly int _maxPartitions;
    private long _lastSweepTicks = DateTimeOffset.MinValue.UtcTicks;

    public AuthFailureLimiter(IOptions<RateLimitOptions> options, TimeProvider time)
    {
        _time = time;
        _limit = options.Value.AuthFailuresPerMinute;
        _maxPartitions = options.Value.AuthFailureMaxPartitions;
    }

    /// <summary>The number of partitions currently tracked (the overflow partition included).</summary>
    public int TrackedPartitions => _windows.Count;

    /// <summary>
    /// Whether requests carrying credentials from <paramref name="partition"/> are refused right now, before any key
    /// lookup. A blocked partition is refused even with a valid key: answering "valid" while blocked would keep the
    /// partition a guessing oracle, since a hit would still be distinguishable from a miss.
    /// </summary>
    public AuthThrottle Check(string partition)
    {
        var now = _time.GetUtcNow();
        var key = Resolve(partition, insert: false, now);

        // A client the table has no room for is never refused: otherwise filling the table from many networks and
        // then failing from one more would lock every new, legitimate client out. The overflow partition only stops
        // such clients' failures from each writing an audit row (RecordFailure returns false once it is over).
        if (key == OverflowPartition)
        {
            return AuthThrottle.Open;
        }

        if (!_windows.TryGetValue(key, out var window))
        {
            return AuthThrottle.Open;
        }

        lock (window)
        {
            if (now - window.Start >= Window || window.Failures < _limit)
            {
                return AuthThrottle.Open;
            }

            var first = !window.Announced;
            window.Announced = true;
            return new AuthThrottle(true, window.Start + Window - now, first);
        }
    }

    /// <summary>
    /// Counts one failure. Returns false when the partition was already over the limit (concurrent requests that passed
    /// <see cref="Check"/> together): such failures are covered by the single "throttled" audit event, not one each.
    /// </summary>
    public bool RecordFailure(string partition)
    {
        var now = _time.GetUtcNow();
        var window = _windows.GetOrAdd(Resolve(partition, insert: true, now), static (_, start) => new FailureWindow(start), now);
        lock (window)
        {
            if (now - window.Start >= Window)
            {
                window.Start = now;
                window.Failures = 0;
                window.Announced = false;
            }

            if (window.Failures < int.MaxValue)
            {
                window.Failures++;
            }

            return window.Failures <= _limit;
        }
    }

    private string Resolve(string partition, bool insert, DateTimeOffset now)
    {
        if (_windows.ContainsKey(partition) || _windows.Count < _maxPartitions)
        {
            return partition;
        }

        if (insert)
        {
            Sweep(now);
            if (_windows.Count < _maxPartitions)
            {
                return partition;
            }
        }

        return OverflowPartition;
    }

    private void Sweep(DateTimeOffset now)
    {
        var last = Interlocked.Read(ref _lastSweepTicks);
        if (now.UtcTicks - last < SweepInterval.Ticks || Interlocked.CompareExchange(ref _lastSweepTicks, now.UtcTicks, last) != last)
        {
            return;
        }

        foreach (var entry in _windows)
        {
            bool expired;
            lock (entry.Value)
            {
                expired = now - entry.Value.Start >= Window;
            }

            // Removes only if the entry is still this window object. A concurrent failure on a window being removed
            // here can be lost; the window had expired, so that costs at most one count.
            if (expired)
            {
                _windows.TryRemove(entry);
            }
        }
    }

    private sealed class FailureWindow(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; set; } = start;

        public int Failures { get; set; }

        public bool Announced { get; set; }
    }
}

/// <summary>The verdict for a request carrying credentials.</summary>
/// <param name="Blocked">Refuse with 429 without looking the key up.</param>
/// <param name="RetryAfter">Time left in the partition's window.</param>
/// <param name="FirstRejection">The first refusal in this window: audit it once.</param>
internal readonly record struct AuthThrottle(bool Blocked, TimeSpan RetryAfter, bool FirstRejection)
{
    public static AuthThrottle Open => default;
}

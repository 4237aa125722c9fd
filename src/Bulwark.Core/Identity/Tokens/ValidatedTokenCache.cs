using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Core.Identity.Tokens;

/// <summary>
/// Remembers successful validations so the ES256 signature check (~100 µs) is not repeated on every request carrying
/// the same token. An entry lives until the token's <c>exp</c> or a short window, whichever comes first, and the cache
/// is bounded: when full it first drops expired entries, then arbitrary ones.
/// </summary>
/// <remarks>
/// Entries are keyed by the SHA-256 of the whole token, not by <c>jti</c>: a token that shares a jti but differs in any
/// byte (another signature, a tampered claim) is a different key and is validated in full. Hashing also keeps memory
/// per entry small however long the token. Failures are never cached, so forged tokens cannot pin memory or evict
/// good entries. The short window bounds how long a key removed from a key set keeps vouching for cached tokens;
/// revocation is checked by the caller on every request after this cache.
/// </remarks>
internal sealed class ValidatedTokenCache
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly TimeSpan _window;
    private readonly Lock _trimGate = new();

    public ValidatedTokenCache(TimeProvider time, int capacity = 100_000, TimeSpan? window = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _time = time;
        _capacity = capacity;
        _window = window ?? DefaultWindow;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_window, TimeSpan.Zero, nameof(window));
    }

    public int Count => _entries.Count;

    /// <summary>The cached validation, or null when absent or past its expiry by the injected clock.</summary>
    public ValidatedToken? Get(string token)
    {
        var key = KeyOf(token);
        if (!_entries.TryGetValue(key, out var entry))
            return null;
        if (entry.ExpiresAt > _time.GetUtcNow())
            return entry.Token;
        _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        return null;
    }

    public void Add(string token, ValidatedToken validated)
    {
        var now = _time.GetUtcNow();
        var expiresAt = validated.ExpiresAt < now + _window ? validated.ExpiresAt : now + _window;
        if (expiresAt <= now)
            return;
        if (_entries.Count >= _capacity)
            Trim(now);
        _entries[KeyOf(token)] = new Entry(validated, expiresAt);
    }

    private void Trim(DateTimeOffset now)
    {
        // One thread trims; the others add over the limit by at most a handful of entries meanwhile.
        if (!_trimGate.TryEnter())
            return;
        try
        {
            foreach (var (key, entry) in _entries)
            {
                if (entry.ExpiresAt <= now)
                    _entries.TryRemove(key, out _);
            }

            // Still full of live entries: drop a tenth. They are re-validated on their next use, nothing breaks.
            var excess = _entries.Count - _capacity + Math.Max(1, _capacity / 10);
            foreach (var key in _entries.Keys)
            {
                if (excess-- <= 0)
                    break;
                _entries.TryRemove(key, out _);
            }
        }
        finally
        {
            _trimGate.Exit();
        }
    }

    private static string KeyOf(string token) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private sealed record Entry(ValidatedToken Token, DateTimeOffset ExpiresAt);
}

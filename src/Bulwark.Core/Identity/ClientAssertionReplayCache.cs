using System.Collections.Concurrent;

namespace Bulwark.Core.Identity;

/// <summary>Client-assertion ids seen until they expire: an assertion is accepted once (RFC 7523 §3, item 7).</summary>
internal sealed class ClientAssertionReplayCache
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

    public bool TryUse(string key, DateTimeOffset until, DateTimeOffset now)
    {
        if (_seen.Count > 10_000)
        {
            foreach (var (k, expires) in _seen)
            {
                if (expires < now)
                {
                    _seen.TryRemove(k, out _);
                }
            }
        }

        return _seen.TryAdd(key, until) || (_seen.TryGetValue(key, out var existing) && existing < now && _seen.TryUpdate(key, until, existing));
    }
}

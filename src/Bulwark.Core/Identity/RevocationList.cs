using System.Collections.Concurrent;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Identity;

/// <summary>
/// The revocations in memory, consulted on every token-authenticated request after the validated-token cache. A
/// revocation made in this process is visible on the very next request; <see cref="SyncAsync"/> (run every second by
/// the host) picks up revocations written by other replicas.
/// </summary>
internal sealed class RevocationList(IDbContextFactory<BulwarkDbContext> contexts, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset NotBefore, DateTimeOffset Expires)> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (DateTimeOffset NotBefore, DateTimeOffset Expires)> _principals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (DateTimeOffset NotBefore, DateTimeOffset Expires)> _sessions = new(StringComparer.Ordinal);
    private DateTimeOffset _syncedUpTo = DateTimeOffset.MinValue;

    /// <summary>True when a token with these claims may no longer be used.</summary>
    public bool IsRevoked(string? tokenId, string principalId, string? sessionId, DateTimeOffset issuedAt) =>
        (tokenId is not null && _tokens.ContainsKey(tokenId))
        || (_principals.TryGetValue(principalId, out var principal) && issuedAt <= principal.NotBefore)
        || (sessionId is not null && _sessions.ContainsKey(sessionId));

    public void Apply(Revocation revocation)
    {
        var target = revocation.Kind switch
        {
            RevocationKind.Token => _tokens,
            RevocationKind.Principal => _principals,
            _ => _sessions,
        };
        var entry = (revocation.NotBefore, revocation.ExpiresAt);
        target.AddOrUpdate(revocation.Subject, entry, (_, existing) => existing.NotBefore > entry.NotBefore ? existing : entry);
    }

    /// <summary>Loads revocations written since the last sync (all of them the first time) and drops expired ones.</summary>
    public async Task SyncAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        // Re-read a small window before the last sync: rows committed late by another writer are not missed.
        var since = _syncedUpTo == DateTimeOffset.MinValue ? DateTimeOffset.MinValue : _syncedUpTo - TimeSpan.FromSeconds(5);
        var rows = await db.Revocations.AsNoTracking().Where(r => r.CreatedAt >= since && r.ExpiresAt > now).ToListAsync(cancellationToken);
        foreach (var row in rows)
        {
            Apply(row);
        }

        _syncedUpTo = now;

        // Past its expiry no token the revocation could match is still valid: drop it, so the list stays small.
        foreach (var list in new[] { _tokens, _principals, _sessions })
        {
            foreach (var (key, value) in list)
            {
                if (value.Expires < now)
                {
                    list.TryRemove(new KeyValuePair<string, (DateTimeOffset, DateTimeOffset)>(key, value));
                }
            }
        }
    }
}

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
    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _principals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _sessions = new(StringComparer.Ordinal);
    private DateTimeOffset _syncedUpTo = DateTimeOffset.MinValue;

    /// <summary>True when a token with these claims may no longer be used.</summary>
    public bool IsRevoked(string? tokenId, string principalId, string? sessionId, DateTimeOffset issuedAt) =>
        (tokenId is not null && _tokens.ContainsKey(tokenId))
        || (_principals.TryGetValue(principalId, out var notBefore) && issuedAt <= notBefore)
        || (sessionId is not null && _sessions.ContainsKey(sessionId));

    public void Apply(Revocation revocation)
    {
        var target = revocation.Kind switch
        {
            RevocationKind.Token => _tokens,
            RevocationKind.Principal => _principals,
            _ => _sessions,
        };
        target.AddOrUpdate(revocation.Subject, revocation.NotBefore, (_, existing) => existing > revocation.NotBefore ? existing : revocation.NotBefore);
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
    }
}

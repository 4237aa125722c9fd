using System.Collections.Concurrent;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Identity;

/// <summary>OAuth clients as token-authenticated requests need them (project, scopes, disabled), cached for a few seconds.</summary>
internal sealed class ClientDirectory(IDbContextFactory<BulwarkDbContext> contexts, TimeProvider time)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, (ClientEntry? Entry, DateTimeOffset Until)> _entries = new(StringComparer.Ordinal);

    internal sealed record ClientEntry(string ClientId, string Name, string ProjectId, IReadOnlySet<string> Scopes, bool Disabled);

    public async ValueTask<ClientEntry?> FindAsync(string clientId, CancellationToken cancellationToken = default)
    {
        if (_entries.TryGetValue(clientId, out var cached) && cached.Until > time.GetUtcNow())
        {
            return cached.Entry;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.OAuthClients.AsNoTracking().FirstOrDefaultAsync(c => c.ClientId == clientId, cancellationToken);
        var entry = row is null ? null : new ClientEntry(row.ClientId, row.Name, row.ProjectId,
            row.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal), row.DisabledAt is not null);
        if (_entries.Count > 100_000)
        {
            _entries.Clear();
        }

        _entries[clientId] = (entry, time.GetUtcNow() + Lifetime);
        return entry;
    }

    public void Invalidate(string clientId) => _entries.TryRemove(clientId, out _);
}

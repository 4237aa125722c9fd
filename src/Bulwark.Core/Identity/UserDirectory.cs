using System.Collections.Concurrent;
using Bulwark.Core.Datasets;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Identity;

/// <summary>
/// What a token-authenticated request needs to know about its user (status, clearance, roles per project), cached for a
/// few seconds so the hot path does not query the database. Changes made in this process invalidate the entry at once;
/// disabling a user also revokes its tokens (<see cref="RevocationList"/>), so no stale entry can let it back in.
/// </summary>
internal sealed class UserDirectory(IDbContextFactory<BulwarkDbContext> contexts, Projects.MembershipTag tags, TimeProvider time)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<Guid, (UserEntry? Entry, DateTimeOffset Until)> _entries = new();

    internal sealed record UserEntry(
        Guid Id,
        string Login,
        string DisplayName,
        UserStatus Status,
        DataClassification Clearance,
        bool MfaEnrolled,
        IReadOnlyDictionary<string, IReadOnlySet<string>> RolesByProject);

    public static string PrincipalId(Guid userId) => "user:" + userId.ToString("D");

    public async ValueTask<UserEntry?> FindAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        if (_entries.TryGetValue(userId, out var cached) && cached.Until > time.GetUtcNow())
        {
            return cached.Entry;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        UserEntry? entry = null;
        if (user is not null)
        {
            var principalId = PrincipalId(userId);
            // Rows whose tag does not verify (inserted or edited in the database directly) grant nothing.
            var memberships = (await db.Memberships.AsNoTracking().Where(m => m.PrincipalId == principalId).ToListAsync(cancellationToken)).Where(tags.Verify);
            var roles = memberships.GroupBy(m => m.ProjectId, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (IReadOnlySet<string>)g.Select(m => m.Role).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
            entry = new UserEntry(user.Id, user.Login, user.DisplayName, user.Status, user.Clearance, user.MfaEnrolled, roles);
        }

        if (_entries.Count > 100_000)
        {
            _entries.Clear();
        }

        _entries[userId] = (entry, time.GetUtcNow() + Lifetime);
        return entry;
    }

    public void Invalidate(Guid userId) => _entries.TryRemove(userId, out _);
}

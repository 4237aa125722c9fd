using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Identity;

/// <summary>
/// Seals the personal fields of user rows written by versions that kept them in clear, at startup before any request is
/// served. Each row changes in one compare-and-swap UPDATE (sealed login, index and display name in, plaintext out), so a
/// crash leaves every row either old or new and the next start finishes the rest; a second run finds nothing to do.
/// </summary>
/// <remarks>
/// Clearing a column does not remove its old bytes from the file: SQLite leaves them in free space and in the
/// write-ahead log. So the connection that converts runs with <c>secure_delete</c> (freed content is zeroed), and after a
/// conversion the file is rebuilt (<c>VACUUM</c>) and the log checkpointed and truncated.
/// </remarks>
internal static class PersonalFieldBackfill
{
    private const int Batch = 256;

    /// <summary>
    /// Converts every unsealed row; returns how many it converted. The file is compacted after a conversion, or when
    /// <paramref name="compact"/> says plaintext was just dropped by a migration.
    /// </summary>
    public static async Task<int> RunAsync(IDbContextFactory<BulwarkDbContext> contexts, PersonalFields fields, bool compact = false, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var sqlite = db.Database.IsSqlite();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            if (sqlite)
            {
                await db.Database.ExecuteSqlRawAsync("PRAGMA secure_delete=ON;", cancellationToken);
            }

            var converted = 0;
            while (true)
            {
                // A projection, not entities: reading a User entity opens its sealed fields, which these rows do not have yet.
                var rows = await db.Users.AsNoTracking()
                    .Where(u => u.LegacyLogin != null && (u.LoginSealed == null || u.LoginIndex == null || u.DisplayNameSealed == null))
                    .OrderBy(u => u.Id)
                    .Select(u => new { u.Id, u.LegacyLogin, u.LegacyDisplayName })
                    .Take(Batch)
                    .ToListAsync(cancellationToken);
                if (rows.Count == 0)
                {
                    break;
                }

                foreach (var row in rows)
                {
                    var user = new User { Id = row.Id, Login = UserService.NormalizeLogin(row.LegacyLogin!), DisplayName = row.LegacyDisplayName ?? "" };
                    fields.Seal(user);
                    var legacy = row.LegacyLogin;
                    converted += await db.Users.Where(u => u.Id == row.Id && u.LegacyLogin == legacy)
                        .ExecuteUpdateAsync(s => s
                            .SetProperty(u => u.LoginSealed, user.LoginSealed)
                            .SetProperty(u => u.LoginIndex, user.LoginIndex)
                            .SetProperty(u => u.DisplayNameSealed, user.DisplayNameSealed)
                            .SetProperty(u => u.LegacyLogin, (string?)null)
                            .SetProperty(u => u.LegacyDisplayName, (string?)null), cancellationToken);
                }
            }

            // Sealed rows never keep plaintext; clear leftovers (a crash of an older build, a partly restored backup).
            converted += await db.Users.Where(u => u.LoginSealed != null && u.LoginIndex != null && u.DisplayNameSealed != null
                    && (u.LegacyLogin != null || u.LegacyDisplayName != null))
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.LegacyLogin, (string?)null).SetProperty(u => u.LegacyDisplayName, (string?)null), cancellationToken);

            if ((converted > 0 || compact) && sqlite)
            {
                await db.Database.ExecuteSqlRawAsync("VACUUM;", cancellationToken);
                await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);", cancellationToken);
            }

            return converted;
        }
        finally
        {
            if (sqlite)
            {
                await db.Database.ExecuteSqlRawAsync("PRAGMA secure_delete=OFF;", CancellationToken.None);
            }

            await db.Database.CloseConnectionAsync();
        }
    }
}

using Bulwark.Core.Identity;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Access;

/// <summary>
/// The role catalogue in force: built-in roles plus the custom roles stored in the database, reloaded when a role
/// changes. Resolving roles to permissions is on the hot path of every user request, so it never touches the database.
/// </summary>
internal sealed class RoleRegistry(IDbContextFactory<BulwarkDbContext> contexts)
{
    private volatile RoleCatalog _current = RoleCatalog.BuiltIn;

    public RoleCatalog Current => _current;

    /// <summary>
    /// The permissions of <paramref name="roles"/>. The admin role also carries the "admin" scope, which the API-key
    /// rules (only admin grants admin or keys:manage) look for.
    /// </summary>
    public IReadOnlySet<string> PermissionsOf(IEnumerable<string> roles)
    {
        var list = roles as IReadOnlyCollection<string> ?? roles.ToList();
        var permissions = _current.PermissionsOf(list);
        if (list.Contains(BuiltInRoles.Admin))
        {
            var withAdmin = new HashSet<string>(permissions, StringComparer.Ordinal) { Permissions.Admin };
            return withAdmin;
        }

        return permissions;
    }

    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Roles.AsNoTracking().ToListAsync(cancellationToken);
        var custom = rows.Select(r => new CustomRole(r.Name, r.Permissions.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal)));
        var catalog = RoleCatalog.Create(custom);

        // Rows are validated when written; one that no longer validates (edited in the database) is ignored rather than
        // trusted, and the built-in roles keep working.
        _current = catalog.Succeeded ? catalog.Value : RoleCatalog.BuiltIn;
    }
}

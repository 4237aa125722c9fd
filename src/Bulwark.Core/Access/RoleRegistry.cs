using Bulwark.Core.Audit;
using Bulwark.Core.Identity;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Access;

/// <summary>
/// The role catalogue in force: built-in roles plus the custom roles stored in the database, reloaded when a role
/// changes. Resolving roles to permissions is on the hot path of every user request, so it never touches the database.
/// </summary>
internal sealed class RoleRegistry(IDbContextFactory<BulwarkDbContext> contexts, AuditLedger audit, TimeProvider time)
{
    /// <summary>Permissions that make a custom role privileged: like admin and security-officer, it is inactive without MFA.</summary>
    private static readonly HashSet<string> PrivilegedPermissions = new(StringComparer.Ordinal)
    {
        AccessPermissions.UsersManage, AccessPermissions.KeysManage, AccessPermissions.PoliciesManage, AccessPermissions.ProjectsManage,
        AccessPermissions.ModelsPromote,
    };

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
        var catalog = Build(rows.Select(ToCustomRole));

        // Rows are validated when written; one that no longer validates (edited in the database) is ignored rather than
        // trusted, and the built-in roles keep working.
        _current = catalog.Succeeded ? catalog.Value : RoleCatalog.BuiltIn;
    }

    /// <summary>Defines a new custom role (names are never reused for a different meaning: existing roles cannot be redefined).</summary>
    public async Task<Outcome<CustomRole>> DefineAsync(string name, IReadOnlyCollection<string> permissions, string description, string actor, string? client, CancellationToken cancellationToken = default)
    {
        if (description.Length > 256 || description.Any(char.IsControl))
        {
            return new Failure(RoleCatalog.InvalidCode, 400, "The description must be at most 256 printable characters.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Roles.AsNoTracking().ToListAsync(cancellationToken);
        var role = new CustomRole(name, permissions.ToHashSet(StringComparer.Ordinal));
        var catalog = Build(rows.Select(ToCustomRole).Append(role));
        if (!catalog.Succeeded)
        {
            return catalog.Failure;
        }

        db.Roles.Add(new RoleDefinition
        {
            Name = name,
            Permissions = string.Join(' ', role.Permissions.Order(StringComparer.Ordinal)),
            Description = description,
            CreatedBy = actor,
            CreatedAt = time.GetUtcNow(),
        });
        await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.RoleDefined, "role.define", actor, "role/" + name, "success", client,
            new Dictionary<string, object?> { ["permissions"] = string.Join(' ', role.Permissions.Order(StringComparer.Ordinal)) }), cancellationToken);
        _current = catalog.Value;
        return role;
    }

    public async Task<IReadOnlyList<RoleDefinition>> ListCustomAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Roles.AsNoTracking().OrderBy(r => r.Name).ToListAsync(cancellationToken);
    }

    private static CustomRole ToCustomRole(RoleDefinition row) =>
        new(row.Name, row.Permissions.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal));

    private static Outcome<RoleCatalog> Build(IEnumerable<CustomRole> custom)
    {
        var list = custom.ToList();
        var mfa = RoleCatalog.DefaultMfaRequiredRoles.Concat(list.Where(r => r.Permissions.Overlaps(PrivilegedPermissions)).Select(r => r.Name));
        return RoleCatalog.Create(list, mfa);
    }
}

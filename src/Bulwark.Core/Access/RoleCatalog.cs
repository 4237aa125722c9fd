using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace Bulwark.Core.Access;

/// <summary>
/// Built-in plus custom roles, validated once. Unknown role names grant nothing (deny by default), so a principal that
/// carries a role deleted since its token was issued simply loses those permissions.
/// </summary>
internal sealed partial class RoleCatalog
{
    public const string InvalidCode = "role.invalid";

    private readonly FrozenDictionary<string, FrozenSet<string>> _roles;

    private RoleCatalog(FrozenDictionary<string, FrozenSet<string>> roles, FrozenSet<string> mfaRequiredRoles)
    {
        _roles = roles;
        MfaRequiredRoles = mfaRequiredRoles;
    }

    /// <summary>Roles whose holders must have authenticated with a second factor (NIST SP 800-63B §4.2, AAL2 for privileged users).</summary>
    public static FrozenSet<string> DefaultMfaRequiredRoles { get; } =
        FrozenSet.Create(StringComparer.Ordinal, BuiltInRoles.Admin, BuiltInRoles.SecurityOfficer, BuiltInRoles.Approver);

    /// <summary>The catalog with the built-in roles only.</summary>
    public static RoleCatalog BuiltIn { get; } = new(BuiltInRoles.Permissions, DefaultMfaRequiredRoles);

    public FrozenSet<string> MfaRequiredRoles { get; }

    public IEnumerable<string> RoleNames => _roles.Keys;

    public static Outcome<RoleCatalog> Create(IEnumerable<CustomRole> customRoles, IEnumerable<string>? mfaRequiredRoles = null)
    {
        var roles = new Dictionary<string, FrozenSet<string>>(BuiltInRoles.Permissions, StringComparer.Ordinal);
        foreach (var role in customRoles)
        {
            if (!RoleNamePattern().IsMatch(role.Name))
            {
                return Invalid($"Role name '{Truncate(role.Name)}' must match [a-z][a-z0-9-]{{1,39}}.");
            }

            if (BuiltInRoles.IsBuiltIn(role.Name))
            {
                return Invalid($"Role name '{role.Name}' is a built-in role and cannot be redefined.");
            }

            if (roles.ContainsKey(role.Name))
            {
                return Invalid($"Role '{role.Name}' is defined twice.");
            }

            foreach (var permission in role.Permissions)
            {
                if (!AccessPermissions.IsKnown(permission))
                {
                    return Invalid($"Role '{role.Name}' grants unknown permission '{Truncate(permission)}'.");
                }
            }

            roles[role.Name] = role.Permissions.ToFrozenSet(StringComparer.Ordinal);
        }

        var mfa = (mfaRequiredRoles ?? DefaultMfaRequiredRoles).ToFrozenSet(StringComparer.Ordinal);
        foreach (var role in mfa)
        {
            if (!roles.ContainsKey(role))
            {
                return Invalid($"MFA is required for unknown role '{Truncate(role)}'.");
            }
        }

        return new RoleCatalog(roles.ToFrozenDictionary(StringComparer.Ordinal), mfa);
    }

    public bool IsKnownRole(string role) => _roles.ContainsKey(role);

    /// <summary>The union of the permissions of <paramref name="roles"/>; unknown roles contribute nothing.</summary>
    public IReadOnlySet<string> PermissionsOf(IEnumerable<string> roles)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var role in roles)
        {
            if (_roles.TryGetValue(role, out var permissions))
            {
                result.UnionWith(permissions);
            }
        }

        return result;
    }

    /// <summary>Does any of <paramref name="roles"/> grant <paramref name="action"/>.</summary>
    public bool Permits(IEnumerable<string> roles, string action)
    {
        foreach (var role in roles)
        {
            if (_roles.TryGetValue(role, out var permissions) && permissions.Contains(action))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Must a principal holding <paramref name="roles"/> have used a second factor.</summary>
    public bool RequiresMfa(IEnumerable<string> roles) => roles.Any(MfaRequiredRoles.Contains);

    private static Failure Invalid(string detail) => new(InvalidCode, 400, detail);

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";

    // \A and \z, not ^ and $: "$" also matches before a final "\n".
    [GeneratedRegex(@"\A[a-z][a-z0-9-]{1,39}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex RoleNamePattern();
}

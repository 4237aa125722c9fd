namespace Bulwark.Server.Authentication;

/// <summary>Resolves role names to the permissions they grant (built-in and custom roles).</summary>
internal sealed class RolePermissions
{
    public static IReadOnlySet<string> Of(IEnumerable<string> roles) => new HashSet<string>();
}

namespace Bulwark.Client.Contracts;

/// <summary>A role in a project ("*" = every project).</summary>
public sealed record RoleGrant(string Project, string Role);

/// <summary>
/// Body of <c>POST /api/v1/users</c>. <paramref name="Clearance"/>: "public", "internal" (default), "confidential" or
/// "restricted" — the highest data classification the user may read.
/// </summary>
public sealed record CreateUserRequest(string Login, string DisplayName, string Password, string? Clearance = null, IReadOnlyList<RoleGrant>? Roles = null);

public sealed record UserInfo(
    string Login,
    string DisplayName,
    string Status,
    string Clearance,
    bool MfaEnrolled,
    IReadOnlyList<RoleGrant> Roles,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastLoginAt);

/// <summary>A created user and what to fix about it (e.g. an admin without MFA).</summary>
public sealed record CreatedUserInfo(UserInfo User, IReadOnlyList<string> Warnings);

/// <summary>Body of <c>POST /api/v1/roles</c>: a custom role granting <paramref name="Permissions"/> (see docs/access-control.md).</summary>
public sealed record DefineRoleRequest(string Name, IReadOnlyList<string> Permissions, string? Description = null);

/// <summary>A role and what it grants; <paramref name="BuiltIn"/> roles cannot be changed. <paramref name="RequiresMfa"/>: inactive in sessions without a second factor.</summary>
public sealed record RoleInfo(string Name, IReadOnlyList<string> Permissions, bool BuiltIn, bool RequiresMfa, string? Description);

namespace Bulwark.Client.Contracts;

/// <summary>Body of <c>POST /api/v1/projects</c>. <paramref name="PasswordProfile"/>: "nist-800-63b" (default) or "pci-dss-4".</summary>
public sealed record CreateProjectRequest(string Id, string? DisplayName = null, string? PasswordProfile = null);

public sealed record ProjectInfo(string Id, string DisplayName, string PasswordProfile, DateTimeOffset CreatedAt, string CreatedBy);

/// <summary>Body of <c>POST /api/v1/projects/{id}/members</c>: grant <paramref name="Role"/> to a principal ("user:&lt;login&gt;").</summary>
public sealed record GrantRoleRequest(string Principal, string Role);

namespace Bulwark.Client.Contracts;

/// <summary>
/// Body of <c>POST /api/v1/projects</c>. <paramref name="PasswordProfile"/>: "nist-800-63b" (default) or "pci-dss-4".
/// <paramref name="PanPolicy"/>: what dataset imports do with card numbers, "reject" (default), "truncate" or "tokenise".
/// </summary>
public sealed record CreateProjectRequest(string Id, string? DisplayName = null, string? PasswordProfile = null, string? PanPolicy = null);

public sealed record ProjectInfo(string Id, string DisplayName, string PasswordProfile, DateTimeOffset CreatedAt, string CreatedBy, string PanPolicy = "reject");

/// <summary>Body of <c>PUT /api/v1/projects/{id}/pan-policy</c>: "reject", "truncate" or "tokenise".</summary>
public sealed record SetPanPolicyRequest(string Policy);

/// <summary>Body of <c>POST /api/v1/projects/{id}/members</c>: grant <paramref name="Role"/> to a principal ("user:&lt;login&gt;").</summary>
public sealed record GrantRoleRequest(string Principal, string Role);

using Bulwark.Core.Datasets;
using Bulwark.Core.Projects;

namespace Bulwark.Core.Identity;

/// <summary>
/// An authenticated caller acting in one project: who it is, how it authenticated, and what it may do there.
/// <see cref="Scopes"/> are the permissions it holds in <see cref="ProjectId"/> (from its roles or, for API keys and
/// OAuth clients, the scopes they were issued with).
/// </summary>
internal sealed record BulwarkPrincipal(string Id, string Name, IReadOnlySet<string> Scopes, string AuthenticationMethod)
{
    public string ProjectId { get; init; } = ProjectIds.Default;

    /// <summary>"user", "api-key", "client" or "external" (ABAC attribute <c>principal.type</c>).</summary>
    public string Kind { get; init; } = PrincipalKinds.ApiKey;

    /// <summary>Roles held in <see cref="ProjectId"/> (including instance-wide ones).</summary>
    public IReadOnlySet<string> Roles { get; init; } = EmptySet;

    /// <summary>Every project this principal can act in; "*" when instance-wide.</summary>
    public IReadOnlySet<string> Projects { get; init; } = EmptySet;

    /// <summary>True when this session was authenticated with a second factor (RFC 8176 "otp" in amr).</summary>
    public bool Mfa { get; init; }
    public DateTimeOffset? AuthTime { get; init; }
    public DataClassification Clearance { get; init; } = DataClassification.Internal;

    /// <summary>The access token's id, for revocation of this one token; null for API keys.</summary>
    public string? TokenId { get; init; }

    /// <summary>True when the scopes grant <paramref name="permission"/>. "admin" grants everything; "predict" any model.</summary>
    public bool Has(string permission) => Permissions.Grants(Scopes, permission);

    private static readonly IReadOnlySet<string> EmptySet = new HashSet<string>();
}

namespace Bulwark.Core.Projects;

/// <summary>
/// A role held by a principal in a project. <see cref="ProjectId"/> "*" is an instance-wide grant (the first admin,
/// security officers who manage users across projects).
/// </summary>
internal sealed class Membership
{
    public Guid Id { get; set; }

    /// <summary>"user:&lt;id&gt;" or "client:&lt;client id&gt;".</summary>
    public string PrincipalId { get; set; } = "";
    public string ProjectId { get; set; } = "";
    public string Role { get; set; } = "";
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

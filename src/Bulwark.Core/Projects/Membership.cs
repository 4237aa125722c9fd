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

    /// <summary>
    /// HMAC over id, principal, project and role under a master-key-derived key (<see cref="MembershipTag"/>): a row
    /// written into the database by someone without the master key grants nothing.
    /// </summary>
    public byte[] IntegrityTag { get; set; } = [];
}

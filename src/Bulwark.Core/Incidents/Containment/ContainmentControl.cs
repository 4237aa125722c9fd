namespace Bulwark.Core.Incidents.Containment;

/// <summary>
/// An instance-wide containment control in force until lifted: lockdown, a freeze of training and promotions, or a
/// blocked client network. Rows are kept after lifting, so the history of what was in force when stays queryable.
/// </summary>
internal sealed class ContainmentControl
{
    public Guid Id { get; set; }

    /// <summary>See <see cref="ContainmentKinds"/>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>The blocked network in CIDR notation for network blocks; empty otherwise.</summary>
    public string Value { get; set; } = "";
    public int? IncidentNumber { get; set; }
    public string Reason { get; set; } = "";
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LiftedAt { get; set; }
    public string? LiftedBy { get; set; }
}

/// <summary>The kinds of <see cref="ContainmentControl"/>.</summary>
internal static class ContainmentKinds
{
    public const string Lockdown = "lockdown";
    public const string Freeze = "freeze";
    public const string NetworkBlock = "network-block";
}

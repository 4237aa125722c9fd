namespace Bulwark.Core.Access;

/// <summary>A custom role: a name and the permissions it grants. Built-in roles are code, not rows.</summary>
internal sealed class RoleDefinition
{
    public string Name { get; set; } = "";

    /// <summary>Space-separated permissions.</summary>
    public string Permissions { get; set; } = "";
    public string Description { get; set; } = "";
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

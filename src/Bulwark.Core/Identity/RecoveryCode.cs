namespace Bulwark.Core.Identity;

/// <summary>A one-time MFA recovery code, stored as a keyed hash and deleted when used.</summary>
internal sealed class RecoveryCode
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string CodeHash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

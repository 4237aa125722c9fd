namespace Bulwark.Core.Identity;

public enum UserStatus
{
    Active,
    Disabled,
}

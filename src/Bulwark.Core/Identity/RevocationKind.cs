namespace Bulwark.Core.Identity;

public enum RevocationKind
{
    Token,
    Principal,
}

namespace Bulwark.Core.Identity;

public enum RevocationKind
{
    /// <summary>One access token, by its <c>jti</c>.</summary>
    Token,

    /// <summary>Every token issued to a principal before the revocation.</summary>
    Principal,

    /// <summary>Every access token of one sign-in session (a refresh-token family, the <c>sid</c> claim).</summary>
    Session,
}

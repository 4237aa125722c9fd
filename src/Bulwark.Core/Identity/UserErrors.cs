namespace Bulwark.Core.Identity;

/// <summary>Stable problem codes of the user and sign-in features.</summary>
internal static class UserErrors
{
    public const string Invalid = "user.invalid";
    public const string Exists = "user.exists";
    public const string NotFound = "user.not-found";
    public const string PasswordRejected = "password.rejected";
    public const string LoginFailed = "auth.login-failed";
    public const string MfaRequired = "auth.mfa-required";
    public const string RefreshInvalid = "auth.refresh-invalid";
    public const string MfaNotEnrolled = "mfa.not-enrolled";
    public const string MfaAlreadyEnrolled = "mfa.already-enrolled";
    public const string MfaCodeInvalid = "mfa.code-invalid";

    /// <summary>403, not 401: the access token is fine, the current password given to change it is not.</summary>
    public const string CurrentPasswordIncorrect = "password.current-incorrect";

    public static Failure UserNotFound(string login) => new(NotFound, 404, $"No user '{login}'.");

    /// <summary>
    /// The one answer to every failed sign-in (unknown user, wrong password, wrong code, disabled, locked): telling them
    /// apart would let a caller enumerate accounts (OWASP ASVS 5.0 V6.3.8).
    /// </summary>
    public static Failure LoginRefused() => new(LoginFailed, 401, "The login name, password or code is wrong, or the account cannot sign in right now.");
}

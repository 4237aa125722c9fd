namespace Bulwark.Core.Identity.Passwords;

/// <summary>Stable codes of <see cref="PasswordVerdict.Code"/>, in the order the policy checks them.</summary>
internal static class PasswordCodes
{
    public const string InvalidCharacters = "password.invalid-characters";
    public const string TooShort = "password.too-short";
    public const string TooLong = "password.too-long";
    public const string Composition = "password.composition";
    public const string Blocklisted = "password.blocklisted";
    public const string Context = "password.context";
    public const string Repetitive = "password.repetitive";
    public const string Sequential = "password.sequential";
    public const string Reused = "password.reused";
    public const string Weak = "password.weak";
}

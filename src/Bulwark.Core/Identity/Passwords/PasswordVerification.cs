namespace Bulwark.Core.Identity.Passwords;

/// <summary>Outcome of checking a password against a stored hash.</summary>
internal enum PasswordVerification
{
    Failed,
    Succeeded,

    /// <summary>Correct password, but the stored hash used weaker parameters: store a new hash now.</summary>
    SucceededRehashNeeded,
}

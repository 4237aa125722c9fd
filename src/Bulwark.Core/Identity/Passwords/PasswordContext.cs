namespace Bulwark.Core.Identity.Passwords;

/// <summary>
/// What the policy knows about the account. <see cref="PreviousHashes"/> are PHC strings, newest
/// first, starting with the current password's hash (PCI DSS v4.0 8.3.7 counts it among the last four).
/// </summary>
internal sealed record PasswordContext(
    string LoginName,
    string? DisplayName,
    bool HasMfa,
    IReadOnlyList<string> PreviousHashes);

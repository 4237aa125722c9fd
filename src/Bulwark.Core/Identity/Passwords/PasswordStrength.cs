namespace Bulwark.Core.Identity.Passwords;

/// <summary>
/// Estimated strength of a password, on zxcvbn's scale: <see cref="Score"/> 0 (&lt; 10^3 guesses)
/// to 4 (≥ 10^10), with a plain-language warning and suggestions safe to show to the user.
/// </summary>
internal sealed record PasswordStrength(
    double Guesses,
    double GuessesLog10,
    int Score,
    string? Warning,
    IReadOnlyList<string> Suggestions);

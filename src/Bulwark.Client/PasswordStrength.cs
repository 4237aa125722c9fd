namespace Bulwark.Client;

/// <summary>
/// The server's strength estimate of a refused password: <paramref name="Score"/> 0–4, the base-10 logarithm of the
/// guesses an attacker would need, and advice to show the user.
/// </summary>
public sealed record PasswordStrength(int Score, double GuessesLog10, string? Warning, IReadOnlyList<string> Suggestions);

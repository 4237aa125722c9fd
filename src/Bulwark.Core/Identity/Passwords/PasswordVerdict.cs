namespace Bulwark.Core.Identity.Passwords;

/// <summary>
/// The policy's answer. <see cref="Code"/> is a stable identifier (<c>password.too-short</c>, ...);
/// <see cref="Message"/> is plain language safe to show; <see cref="Strength"/> is always filled.
/// </summary>
internal sealed record PasswordVerdict(bool Accepted, string? Code, string? Message, PasswordStrength Strength);

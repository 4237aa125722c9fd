namespace Bulwark.Core.Identity.Passwords;

/// <summary>
/// Argon2id cost parameters. The defaults are OWASP's first recommendation (Password Storage
/// Cheat Sheet: m = 19 MiB, t = 2, p = 1), about 11 ms per hash here.
/// </summary>
internal sealed record PasswordHashingOptions
{
    public int MemoryKiB { get; init; } = 19 * 1024;

    public int Iterations { get; init; } = 2;

    /// <summary>Lanes. libsodium (through NSec) supports only 1.</summary>
    public int Parallelism { get; init; } = 1;
}

using System.Diagnostics.CodeAnalysis;

namespace Bulwark.Core.Identity.Passwords;

/// <summary>
/// A named set of password rules. Two profiles exist: NIST SP 800-63B (the default) and
/// PCI DSS v4.0 for deployments that hold cardholder data.
/// </summary>
internal sealed record PasswordProfile
{
    public const string NistName = "nist-800-63b";
    public const string PciDss4Name = "pci-dss-4";

    /// <summary>
    /// NIST SP 800-63B (rev. 4). §3.1.1.2: at least 15 characters when the password is the only
    /// factor, 8 when it is part of multi-factor authentication; permit at least 64. No composition
    /// rules and no periodic expiry (both are forbidden there). §3.2.2 / §5.2.2: no more than 100
    /// consecutive failed attempts before the account is rate-limited.
    /// </summary>
    public static PasswordProfile Nist { get; } = new()
    {
        Name = NistName,
        MinLengthPasswordOnly = 15,
        MinLengthWithMfa = 8,
        MaxLength = 128,
        RequireLettersAndDigits = false,
        HistoryDepth = 0,
        LockoutThreshold = 100,
        LockoutDuration = TimeSpan.FromMinutes(15),
        MinimumScore = 3,
    };

    /// <summary>
    /// PCI DSS v4.0: 8.3.6 at least 12 characters with letters and digits; 8.3.7 not one of the
    /// last four; 8.3.4 lock out after at most 10 failed attempts for at least 30 minutes.
    /// </summary>
    public static PasswordProfile PciDss4 { get; } = new()
    {
        Name = PciDss4Name,
        MinLengthPasswordOnly = 12,
        MinLengthWithMfa = 12,
        MaxLength = 128,
        RequireLettersAndDigits = true,
        HistoryDepth = 4,
        LockoutThreshold = 10,
        LockoutDuration = TimeSpan.FromMinutes(30),
        MinimumScore = 3,
    };

    public required string Name { get; init; }

    public required int MinLengthPasswordOnly { get; init; }

    public required int MinLengthWithMfa { get; init; }

    /// <summary>
    /// Upper bound in code points. NIST asks verifiers to permit at least 64; 128 leaves room for
    /// long passphrases while bounding the work an unauthenticated caller can make us do per
    /// attempt: NFKC can expand text up to 18 times, the strength estimator is quadratic in length,
    /// and Argon2id's initial BLAKE2b pass reads the whole input before the memory-hard part.
    /// </summary>
    public required int MaxLength { get; init; }

    public required bool RequireLettersAndDigits { get; init; }

    /// <summary>How many previous passwords may not be reused (0 = no history check).</summary>
    public required int HistoryDepth { get; init; }

    public required int LockoutThreshold { get; init; }

    public required TimeSpan LockoutDuration { get; init; }

    /// <summary>Minimum strength score (0-4, zxcvbn scale) a new password must reach.</summary>
    public required int MinimumScore { get; init; }

    public static bool TryGet(string name, [NotNullWhen(true)] out PasswordProfile? profile)
    {
        profile = name switch
        {
            NistName => Nist,
            PciDss4Name => PciDss4,
            _ => null,
        };
        return profile is not null;
    }
}

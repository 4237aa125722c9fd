using Bulwark.Core.Datasets;

namespace Bulwark.Core.Identity;

/// <summary>
/// A person who signs in with a password and (for privileged roles) a TOTP code. Roles come from project memberships.
/// Secrets are never stored in clear: the password as an Argon2id PHC string, the TOTP secret sealed under the key ring.
/// </summary>
internal sealed class User
{
    public Guid Id { get; set; }

    /// <summary>
    /// NFKC-normalised, lower-case; unique. What the person types to sign in. Not a column: opened from
    /// <see cref="LoginSealed"/> when a row is read and sealed again when it is saved (<see cref="PersonalFields"/>).
    /// Queries find a login through <see cref="LoginIndex"/>.
    /// </summary>
    public string Login { get; set; } = "";

    /// <summary>Not a column: opened from <see cref="DisplayNameSealed"/> like <see cref="Login"/>.</summary>
    public string DisplayName { get; set; } = "";

    /// <summary>The login, sealed (AES-256-GCM under a ring key, bound to this user's id and the purpose "user-login").</summary>
    public byte[]? LoginSealed { get; set; }

    /// <summary>Keyed blind index of the login (HMAC-SHA256 under a key-ring subkey); unique. Reveals equality only.</summary>
    public byte[]? LoginIndex { get; set; }

    /// <summary>The display name, sealed like <see cref="LoginSealed"/> (purpose "user-display-name").</summary>
    public byte[]? DisplayNameSealed { get; set; }

    /// <summary>The plaintext login column of earlier versions: read once by the startup backfill, then cleared.</summary>
    public string? LegacyLogin { get; set; }

    /// <summary>The plaintext display name column of earlier versions, cleared like <see cref="LegacyLogin"/>.</summary>
    public string? LegacyDisplayName { get; set; }

    /// <summary>The login and display name the sealed columns hold, to re-seal only what changed.</summary>
    internal (string Login, string DisplayName)? SealedValues { get; set; }
    public UserStatus Status { get; set; }

    /// <summary>The highest data classification this person may read (ABAC attribute <c>principal.clearance</c>).</summary>
    public DataClassification Clearance { get; set; } = DataClassification.Internal;

    /// <summary>Argon2id in PHC string format (self-describing, so parameters can be raised and upgraded on login).</summary>
    public string PasswordHash { get; set; } = "";

    /// <summary>Earlier password hashes, newest first, newline-separated (PCI DSS 4.0 req. 8.3.7: not one of the last 4).</summary>
    public string PasswordHistory { get; set; } = "";
    public DateTimeOffset PasswordChangedAt { get; set; }

    /// <summary>The enrolled TOTP secret, sealed (AES-256-GCM under a ring key, bound to this user's id).</summary>
    public byte[]? TotpSecret { get; set; }

    /// <summary>A secret issued by enrolment but not yet confirmed with a code.</summary>
    public byte[]? PendingTotpSecret { get; set; }

    /// <summary>The last accepted TOTP time step: a code is accepted once (RFC 6238 §5.2).</summary>
    public long? TotpLastStep { get; set; }
    public DateTimeOffset? MfaEnrolledAt { get; set; }

    /// <summary>
    /// A one-time code an administrator issued for enrolling MFA (keyed hash), needed by holders of privileged roles:
    /// their password alone must not be enough to bind an attacker's authenticator to the account.
    /// </summary>
    public byte[]? MfaEnrolmentCodeHash { get; set; }
    public DateTimeOffset? MfaEnrolmentCodeExpiresAt { get; set; }
    public int FailedLogins { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public DateTimeOffset? LastLoginAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }

    public bool MfaEnrolled => TotpSecret is not null;
}

using Bulwark.Core.Access;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Identity.Mfa;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Identity;

/// <summary>
/// TOTP enrolment (RFC 6238) with confirmation by a first code, one-time recovery codes, second-factor checks at sign-in
/// and the audited reset by an administrator. The secret is sealed under the key ring, bound to the user's id.
/// </summary>
internal sealed class MfaService(
    BulwarkDbContext db,
    AuditLedger audit,
    EnvelopeEncryption envelope,
    TotpAuthenticator totp,
    RecoveryCodes recoveryCodes,
    UserDirectory directory,
    RevocationService revocations,
    RoleRegistry roles,
    KeyRing keyRing,
    PersonalFields fields,
    TimeProvider time)
{
    public const string Issuer = "Bulwark";
    public const string EnrolmentCodeRequired = "mfa.enrolment-code-required";
    public static readonly TimeSpan EnrolmentCodeLifetime = TimeSpan.FromHours(24);
    internal const string SecretPurpose = "totp-secret";
    private const int RecoveryCodeCount = 10;
    private readonly byte[] _enrolmentPepper = keyRing.DeriveKey("mfa-enrolment-code-pepper");

    public sealed record Enrolment(string OtpAuthUri, string Secret);

    /// <summary>The second factor a sign-in presented: "otp" for a TOTP code, "mfa" for a recovery code (RFC 8176).</summary>
    public sealed record SecondFactor(bool Accepted, string? Method, string? FailureCode);

    /// <summary>
    /// Starts an enrolment. A holder of a privileged role (admin, security-officer, approver…) must also present an
    /// enrolment code an administrator issued: otherwise whoever learns the password first could bind their own
    /// authenticator and activate the privileged roles.
    /// </summary>
    public async Task<Outcome<Enrolment>> BeginAsync(Guid userId, string? enrolmentCode = null, CancellationToken cancellationToken = default)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return new Failure(UserErrors.NotFound, 404, "No such user.");
        }

        if (user.MfaEnrolled)
        {
            return new Failure(UserErrors.MfaAlreadyEnrolled, 409, "MFA is already enrolled; an administrator must reset it before a new enrolment.");
        }

        var entry = await directory.FindAsync(user.Id, cancellationToken);
        var privileged = entry is not null && roles.Current.RequiresMfa(entry.RolesByProject.Values.SelectMany(r => r));
        if (privileged && !EnrolmentCodeMatches(user, enrolmentCode))
        {
            await audit.AppendAsync(new AuditEntry(AuditCodes.MfaFailed, "mfa.enrol", UserDirectory.PrincipalId(user.Id), "user/" + user.Login, "denied", null,
                new Dictionary<string, object?> { ["code"] = EnrolmentCodeRequired }));
            return new Failure(EnrolmentCodeRequired, 403,
                "Your roles need MFA, and enrolling it needs the one-time enrolment code an administrator issues (bulwark user mfa-code <login>).");
        }

        var secret = totp.NewSecret();
        user.PendingTotpSecret = Seal(user.Id, secret);
        await db.SaveChangesAsync(cancellationToken);
        var uri = totp.OtpAuthUri(secret, Issuer, user.Login);
        var base32 = OtpNet.Base32Encoding.ToString(secret);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(secret);
        return new Enrolment(uri, base32);
    }

    /// <summary>Confirms enrolment with a code from the authenticator and returns the recovery codes (shown once).</summary>
    public async Task<Outcome<IReadOnlyList<string>>> ConfirmAsync(Guid userId, string code, string? client, CancellationToken cancellationToken = default)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user?.PendingTotpSecret is null)
        {
            return new Failure(UserErrors.MfaNotEnrolled, 409, "Start an enrolment first (POST /api/v1/auth/mfa/totp).");
        }

        var secret = Open(user.Id, user.PendingTotpSecret);
        var check = totp.Verify(secret, code ?? "", null);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(secret);
        if (!check.Valid)
        {
            await audit.AppendAsync(new AuditEntry(AuditCodes.MfaFailed, "mfa.enrol", UserDirectory.PrincipalId(user.Id), "user/" + user.Login, "failure", client,
                new Dictionary<string, object?> { ["code"] = check.Code }));
            return new Failure(UserErrors.MfaCodeInvalid, 400, "That code does not match; check the authenticator's clock and try the current code.");
        }

        user.TotpSecret = user.PendingTotpSecret;
        user.PendingTotpSecret = null;
        user.MfaEnrolmentCodeHash = null;
        user.MfaEnrolmentCodeExpiresAt = null;
        user.TotpLastStep = check.MatchedStep;
        user.MfaEnrolledAt = time.GetUtcNow();
        var codes = recoveryCodes.Generate(RecoveryCodeCount);
        db.RecoveryCodes.RemoveRange(await db.RecoveryCodes.Where(c => c.UserId == user.Id).ToListAsync(cancellationToken));
        db.RecoveryCodes.AddRange(codes.Select(c => new RecoveryCode { Id = Guid.CreateVersion7(time.GetUtcNow()), UserId = user.Id, CodeHash = recoveryCodes.Hash(c), CreatedAt = time.GetUtcNow() }));
        await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.MfaEnrolled, "mfa.enrol", UserDirectory.PrincipalId(user.Id), "user/" + user.Login, "success", client,
            new Dictionary<string, object?> { ["method"] = "totp", ["recoveryCodes"] = codes.Count }), cancellationToken);
        directory.Invalidate(user.Id);
        return codes.ToList();
    }

    /// <summary>
    /// Checks a TOTP or recovery code for a tracked user row and records its use (the TOTP step, or deletes the recovery
    /// code) on that row; the caller saves. A code is accepted once (RFC 6238 §5.2).
    /// </summary>
    public async Task<SecondFactor> VerifyAsync(User user, string? code, CancellationToken cancellationToken = default)
    {
        if (user.TotpSecret is null)
        {
            return new SecondFactor(false, null, UserErrors.MfaNotEnrolled);
        }

        if (string.IsNullOrWhiteSpace(code))
        {
            return new SecondFactor(false, null, UserErrors.MfaRequired);
        }

        var secret = Open(user.Id, user.TotpSecret);
        var check = totp.Verify(secret, code, user.TotpLastStep);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(secret);
        if (check.Valid)
        {
            // Spend the step in SQL, conditionally: of two simultaneous sign-ins with one code, only one may win.
            var step = check.MatchedStep!.Value;
            var spent = await db.Users.Where(u => u.Id == user.Id && (u.TotpLastStep == null || u.TotpLastStep < step))
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.TotpLastStep, step), cancellationToken);
            if (spent == 0)
            {
                return new SecondFactor(false, null, Mfa.MfaFailureCodes.CodeReplayed);
            }

            user.TotpLastStep = step;
            db.Entry(user).Property(u => u.TotpLastStep).IsModified = false;
            return new SecondFactor(true, "otp", null);
        }

        // Not a TOTP code: perhaps a recovery code. Single use, enforced by a conditional delete: one of two
        // simultaneous uses deletes the row, the other deletes nothing and is refused.
        var stored = await db.RecoveryCodes.AsNoTracking().Where(c => c.UserId == user.Id).ToListAsync(cancellationToken);
        var match = stored.FirstOrDefault(c => recoveryCodes.Matches(c.CodeHash, code));
        if (match is not null && await db.RecoveryCodes.Where(c => c.Id == match.Id).ExecuteDeleteAsync(cancellationToken) == 1)
        {
            return new SecondFactor(true, "mfa", null);
        }

        return new SecondFactor(false, null, check.Code ?? UserErrors.MfaCodeInvalid);
    }

    /// <summary>An administrator's reset (lost device): removes the factor and recovery codes and ends the user's sessions.</summary>
    public async Task<Outcome<User>> ResetAsync(string login, string actor, string? client, CancellationToken cancellationToken = default)
    {
        var user = await UserService.FindByLoginAsync(db, fields, login, cancellationToken);
        if (user is null)
        {
            return UserErrors.UserNotFound(login);
        }

        user.TotpSecret = null;
        user.PendingTotpSecret = null;
        user.TotpLastStep = null;
        user.MfaEnrolledAt = null;
        db.RecoveryCodes.RemoveRange(await db.RecoveryCodes.Where(c => c.UserId == user.Id).ToListAsync(cancellationToken));
        await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.MfaReset, "mfa.reset", actor, "user/" + user.Login, "success", client,
            new Dictionary<string, object?> { ["severity"] = "high" }), cancellationToken);
        await revocations.RevokePrincipalAsync(UserDirectory.PrincipalId(user.Id), user.Id, "mfa reset", actor, client, cancellationToken);
        directory.Invalidate(user.Id);
        return user;
    }

    /// <summary>Issues a one-time enrolment code (shown once, valid 24 hours) for a user who must enrol MFA.</summary>
    public async Task<Outcome<(string Code, DateTimeOffset ExpiresAt)>> IssueEnrolmentCodeAsync(string login, string actor, string? client, CancellationToken cancellationToken = default)
    {
        var user = await UserService.FindByLoginAsync(db, fields, login, cancellationToken);
        if (user is null)
        {
            return UserErrors.UserNotFound(login);
        }

        if (user.MfaEnrolled)
        {
            return new Failure(UserErrors.MfaAlreadyEnrolled, 409, $"'{user.Login}' already has MFA; reset it first if the device is lost.");
        }

        var code = "bwm_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var expires = time.GetUtcNow() + EnrolmentCodeLifetime;
        user.MfaEnrolmentCodeHash = HashEnrolmentCode(code);
        user.MfaEnrolmentCodeExpiresAt = expires;
        await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.MfaEnrolmentCodeIssued, "mfa.enrolment-code", actor, "user/" + user.Login, "success", client,
            new Dictionary<string, object?> { ["expiresAt"] = expires }), cancellationToken);
        return (code, expires);
    }

    private bool EnrolmentCodeMatches(User user, string? code) =>
        !string.IsNullOrEmpty(code) && code.Length <= 64 && user.MfaEnrolmentCodeHash is { Length: 32 } stored
        && user.MfaEnrolmentCodeExpiresAt > time.GetUtcNow()
        && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(stored, HashEnrolmentCode(code.Trim()));

    private byte[] HashEnrolmentCode(string code) => System.Security.Cryptography.HMACSHA256.HashData(_enrolmentPepper, System.Text.Encoding.UTF8.GetBytes(code));

    private byte[] Seal(Guid userId, byte[] secret) => envelope.Encrypt(secret, userId.ToString("N"), SecretPurpose);

    private byte[] Open(Guid userId, byte[] sealedSecret) => envelope.Decrypt(sealedSecret, userId.ToString("N"), SecretPurpose);
}

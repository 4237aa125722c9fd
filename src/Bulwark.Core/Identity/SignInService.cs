using System.Security.Cryptography;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Identity.Passwords;
using Bulwark.Core.Identity.Tokens;
using Bulwark.Core.Projects;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Identity;

/// <summary>
/// First-party sign-in (password, then TOTP or a recovery code) returning a short-lived access token and a rotating
/// refresh token. Like <c>vault login -method=userpass</c>, not the OAuth password grant, which RFC 9700 §2.4 forbids.
/// Every failure gives the same answer (<see cref="UserErrors.LoginRefused"/>) and costs about one Argon2id hash, so
/// neither the response nor its timing says whether a login exists.
/// </summary>
internal sealed class SignInService(
    BulwarkDbContext db,
    AuditLedger audit,
    PasswordHasher hasher,
    MfaService mfa,
    SigningKeyStore keys,
    AccessTokenIssuer issuer,
    RevocationService revocations,
    RevocationList revoked,
    UserDirectory directory,
    KeyRing keyRing,
    PersonalFields fields,
    IOptions<SignInOptions> options,
    TimeProvider time)
{
    public const string RefreshTokenPrefix = "bwr_";
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(15);
    private readonly byte[] _pepper = keyRing.DeriveKey("refresh-token-pepper");

    public sealed record SignedIn(IssuedToken Access, string RefreshToken, DateTimeOffset RefreshExpiresAt, IReadOnlyList<string> Amr, User User);

    public async Task<Outcome<SignedIn>> SignInAsync(string login, string password, string? code, string? client, CancellationToken cancellationToken = default)
    {
        var normalized = UserService.NormalizeLogin(login ?? "");
        User? user;
        try
        {
            user = UserService.IsValidLogin(normalized) ? await UserService.FindByLoginAsync(db, fields, normalized, cancellationToken) : null;
        }
        catch (PersonalFieldIntegrityException ex)
        {
            // A row edited outside Bulwark (say, another account's sealed login copied in) signs no one in, and the answer
            // is the same as for any other failure; the ledger records which row failed.
            hasher.VerifyDummy(password ?? "");
            await audit.AppendAsync(new AuditEntry(AuditCodes.LoginFailed, "auth.login", "anonymous", "user/?", "denied", client,
                new Dictionary<string, object?> { ["reason"] = "integrity-failed", ["userId"] = UserDirectory.PrincipalId(ex.UserId) }));
            return UserErrors.LoginRefused();
        }

        var now = time.GetUtcNow();
        if (user is null || user.Status != UserStatus.Active || user.LockedUntil > now)
        {
            // Same work as a real check: the answer's timing must not reveal which of these it was.
            hasher.VerifyDummy(password ?? "");
            return await RefuseAsync(user, user is null ? "unknown-login" : user.Status != UserStatus.Active ? "disabled" : "locked", client, cancellationToken);
        }

        var verification = hasher.Verify(user.PasswordHash, password ?? "");
        if (verification == PasswordVerification.Failed)
        {
            return await FailAsync(user, "password", client, cancellationToken);
        }

        var amr = new List<string> { "pwd" };
        if (user.MfaEnrolled)
        {
            if (string.IsNullOrWhiteSpace(code))
            {
                // The password was right: asking for the second factor is the expected next step, not a failure.
                return new Failure(UserErrors.MfaRequired, 401, "This account uses MFA: send the current code from the authenticator (or a recovery code) as 'code'.");
            }

            var second = await mfa.VerifyAsync(user, code, cancellationToken);
            if (!second.Accepted)
            {
                return await FailAsync(user, second.FailureCode ?? "mfa", client, cancellationToken);
            }

            amr.Add(second.Method!);
            if (second.Method == "mfa")
            {
                await audit.AppendAsync(new AuditEntry(AuditCodes.RecoveryCodeUsed, "mfa.recovery", UserDirectory.PrincipalId(user.Id), "user/" + user.Login, "success", client));
            }
        }

        if (verification == PasswordVerification.SucceededRehashNeeded)
        {
            // Parameters raised since this hash was made (or below the OWASP floor): upgrade while the password is at hand.
            user.PasswordHash = hasher.Hash(password!);
        }

        user.FailedLogins = 0;
        user.LockedUntil = null;
        user.LastLoginAt = now;
        var familyId = Guid.CreateVersion7(now);
        var (refresh, refreshRow) = NewRefreshToken(user.Id, familyId, string.Join(' ', amr), now, now + options.Value.SessionLifetime);
        db.RefreshTokens.Add(refreshRow);
        await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.LoginSucceeded, "auth.login", UserDirectory.PrincipalId(user.Id), "user/" + user.Login, "success", client,
            new Dictionary<string, object?> { ["amr"] = string.Join(' ', amr), ["session"] = familyId.ToString("D") }), cancellationToken);
        var access = Issue(user.Id, amr, now, familyId);
        return new SignedIn(access, refresh, refreshRow.ExpiresAt, amr, user);
    }

    /// <summary>
    /// Exchanges a refresh token for a new pair. A token used twice means a copy exists elsewhere: the whole session is
    /// revoked, for the thief and the user alike (RFC 9700 §4.14.2).
    /// </summary>
    public async Task<Outcome<SignedIn>> RefreshAsync(string presented, string? client, CancellationToken cancellationToken = default)
    {
        var refused = new Failure(UserErrors.RefreshInvalid, 401, "The refresh token is invalid, expired or revoked; sign in again.");
        if (string.IsNullOrEmpty(presented) || presented.Length > 128 || !presented.StartsWith(RefreshTokenPrefix, StringComparison.Ordinal))
        {
            return refused;
        }

        var hash = HashRefreshToken(presented);
        var row = await db.RefreshTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        var now = time.GetUtcNow();
        if (row is null)
        {
            return refused;
        }

        // Claim the token atomically: of two concurrent uses only one can win; the other is a reuse.
        var claimed = row.UsedAt is null
            && await db.RefreshTokens.Where(t => t.Id == row.Id && t.UsedAt == null).ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), cancellationToken) == 1;
        if (!claimed)
        {
            await revocations.RevokeSessionAsync(row.FamilyId, UserDirectory.PrincipalId(row.UserId), "refresh token reused", "system", client, cancellationToken);
            await audit.AppendAsync(new AuditEntry(AuditCodes.RefreshTokenReused, "auth.refresh", UserDirectory.PrincipalId(row.UserId), "session/" + row.FamilyId.ToString("D"),
                "denied", client, new Dictionary<string, object?> { ["severity"] = "high" }));
            return refused;
        }

        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == row.UserId, cancellationToken);
        if (row.RevokedAt is not null || row.ExpiresAt <= now || user is null || user.Status != UserStatus.Active)
        {
            return refused;
        }

        var amr = row.Amr.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var (refresh, next) = NewRefreshToken(row.UserId, row.FamilyId, row.Amr, row.AuthTime, row.FamilyExpiresAt);
        db.RefreshTokens.Add(next);
        await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.TokenRefreshed, "auth.refresh", UserDirectory.PrincipalId(row.UserId), "session/" + row.FamilyId.ToString("D"),
            "success", client), cancellationToken);

        // A "revoke every session" that ran between the claim and the insert marked the family's rows before this new
        // one existed: look again now, and take the new token back if the session is revoked after all.
        if (revoked.IsRevoked(null, UserDirectory.PrincipalId(row.UserId), row.FamilyId.ToString("D"), row.CreatedAt))
        {
            await db.RefreshTokens.Where(t => t.Id == next.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, time.GetUtcNow()), cancellationToken);
            return refused;
        }

        return new SignedIn(Issue(row.UserId, amr, row.AuthTime, row.FamilyId), refresh, next.ExpiresAt, amr, user);
    }

    /// <summary>Signs out: the session's refresh tokens and access tokens stop working.</summary>
    public async Task<bool> SignOutAsync(string presented, string? client, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > 128)
        {
            return false;
        }

        var hash = HashRefreshToken(presented);
        var row = await db.RefreshTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        if (row is null)
        {
            return false;
        }

        await revocations.RevokeSessionAsync(row.FamilyId, UserDirectory.PrincipalId(row.UserId), "signed out", UserDirectory.PrincipalId(row.UserId), client, cancellationToken);
        return true;
    }

    private IssuedToken Issue(Guid userId, IReadOnlyList<string> amr, DateTimeOffset authTime, Guid familyId) =>
        issuer.Issue(keys.Current, new AccessTokenClaims(UserDirectory.PrincipalId(userId), null, amr, authTime, [], familyId.ToString("D")));

    private (string Token, RefreshToken Row) NewRefreshToken(Guid userId, Guid familyId, string amr, DateTimeOffset authTime, DateTimeOffset familyExpires)
    {
        var now = time.GetUtcNow();
        var secret = RandomNumberGenerator.GetBytes(32);
        var token = RefreshTokenPrefix + Convert.ToBase64String(secret).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        CryptographicOperations.ZeroMemory(secret);
        var expires = now + options.Value.RefreshTokenLifetime;
        return (token, new RefreshToken
        {
            Id = Guid.CreateVersion7(now),
            FamilyId = familyId,
            UserId = userId,
            TokenHash = HashRefreshToken(token),
            Amr = amr,
            AuthTime = authTime,
            CreatedAt = now,
            ExpiresAt = expires < familyExpires ? expires : familyExpires,
            FamilyExpiresAt = familyExpires,
        });
    }

    private byte[] HashRefreshToken(string token) => HMACSHA256.HashData(_pepper, System.Text.Encoding.ASCII.GetBytes(token));

    /// <summary>Counts a failure: exponential backoff after a few, then the profile's lockout (PCI DSS 4.0 req. 8.3.4).</summary>
    private async Task<Failure> FailAsync(User user, string reason, string? client, CancellationToken cancellationToken)
    {
        var profiles = await ProfilesOfAsync(user.Id, cancellationToken);
        var threshold = profiles.Min(p => p.LockoutThreshold);
        var lockout = profiles.Max(p => p.LockoutDuration);
        var now = time.GetUtcNow();

        // Counted in SQL, not in the tracked row: parallel guesses each count (a read-modify-write would let a batch
        // of simultaneous attempts add one between them, and the lockout would be per batch instead of per guess).
        db.Entry(user).State = EntityState.Detached;
        await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.FailedLogins, u => u.FailedLogins + 1), cancellationToken);
        var failures = await db.Users.Where(u => u.Id == user.Id).Select(u => u.FailedLogins).SingleAsync(cancellationToken);
        var locked = false;
        DateTimeOffset? until = null;
        if (failures >= threshold)
        {
            until = now + lockout;
            locked = true;
        }
        else if (failures >= options.Value.BackoffAfterFailures)
        {
            var exponent = Math.Min(failures - options.Value.BackoffAfterFailures, 20);
            var wait = TimeSpan.FromSeconds(Math.Pow(2, exponent));
            until = now + (wait < MaxBackoff ? wait : MaxBackoff);
        }

        if (until is { } lockedUntil)
        {
            await db.Users.Where(u => u.Id == user.Id && (u.LockedUntil == null || u.LockedUntil < lockedUntil))
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.LockedUntil, lockedUntil), cancellationToken);
        }

        var entries = new List<AuditEntry>
        {
            new(AuditCodes.LoginFailed, "auth.login", "anonymous", "user/" + user.Login, "denied", client,
                new Dictionary<string, object?> { ["reason"] = reason, ["failures"] = failures }),
        };
        if (locked)
        {
            entries.Add(new AuditEntry(AuditCodes.AccountLocked, "auth.lockout", "system", "user/" + user.Login, "success", client,
                new Dictionary<string, object?> { ["until"] = until, ["failures"] = failures }));
        }

        await audit.SaveChangesAsync(db, entries, cancellationToken);
        directory.Invalidate(user.Id);
        return UserErrors.LoginRefused();
    }

    private async Task<Failure> RefuseAsync(User? user, string reason, string? client, CancellationToken cancellationToken)
    {
        // Unknown logins are not written to the ledger: people type passwords into the login field.
        await audit.AppendAsync(new AuditEntry(AuditCodes.LoginFailed, "auth.login", "anonymous", user is null ? "user/?" : "user/" + user.Login, "denied", client,
            new Dictionary<string, object?> { ["reason"] = reason }));
        _ = cancellationToken;
        return UserErrors.LoginRefused();
    }

    /// <summary>The password profiles that apply to a user: NIST always, plus PCI DSS if any of its projects holds cardholder data.</summary>
    public async Task<IReadOnlyList<PasswordProfile>> ProfilesOfAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var principalId = UserDirectory.PrincipalId(userId);
        // Profiles only ever add rules, so a forged membership here could only make a password check stricter.
        var projectIds = await db.Memberships.AsNoTracking().Where(m => m.PrincipalId == principalId).Select(m => m.ProjectId).Distinct().ToListAsync(cancellationToken);
        var pci = projectIds.Contains(ProjectIds.AllProjects)
            ? await db.Projects.AnyAsync(p => p.PasswordProfile == PasswordProfile.PciDss4Name, cancellationToken)
            : await db.Projects.AnyAsync(p => projectIds.Contains(p.Id) && p.PasswordProfile == PasswordProfile.PciDss4Name, cancellationToken);
        return pci ? [PasswordProfile.Nist, PasswordProfile.PciDss4] : [PasswordProfile.Nist];
    }
}

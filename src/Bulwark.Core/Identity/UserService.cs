using System.Text.RegularExpressions;
using Bulwark.Core.Audit;
using Bulwark.Core.Datasets;
using Bulwark.Core.Identity.Passwords;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Identity;

/// <summary>
/// Creates, disables, enables and deletes users and changes passwords. Every rejected password answers with the rule it
/// broke and an estimate of its strength with advice, so the API teaches rather than just refuses. Every change is audited.
/// </summary>
internal sealed partial class UserService(
    BulwarkDbContext db,
    AuditLedger audit,
    PasswordPolicy policy,
    PasswordHasher hasher,
    UserDirectory directory,
    RevocationService revocations,
    PersonalFields fields,
    TimeProvider time)
{
    public sealed record NewUser(string Login, string DisplayName, string Password, DataClassification Clearance, string CreatedBy, string? Client);

    /// <summary>NFKC, then lower case: "Alice", "ＡＬＩＣＥ" and "alice" are one login.</summary>
    public static string NormalizeLogin(string login) => login.Length > 256 ? "" : PasswordText.Normalize(login.Trim()).ToLowerInvariant();

    public static bool IsValidLogin(string normalized) => LoginPattern().IsMatch(normalized);

    public async Task<Outcome<User>> CreateAsync(NewUser request, CancellationToken cancellationToken = default)
    {
        var login = NormalizeLogin(request.Login ?? "");
        if (!IsValidLogin(login))
        {
            return new Failure(UserErrors.Invalid, 400, "A login is 2–64 characters: letters, digits, '.', '_', '@' or '-', starting with a letter or digit.");
        }

        var displayName = (request.DisplayName ?? "").Trim();
        if (displayName.Length is 0 or > 128 || displayName.Any(char.IsControl))
        {
            return new Failure(UserErrors.Invalid, 400, "The display name must be 1–128 printable characters.");
        }

        var index = fields.LoginIndex(login);
        if (await db.Users.AnyAsync(u => u.LoginIndex == index, cancellationToken))
        {
            return new Failure(UserErrors.Exists, 409, $"A user '{login}' already exists.");
        }

        var verdict = CheckPassword(request.Password ?? "", login, displayName, hasMfa: false, [PasswordProfile.Nist], []);
        if (verdict is not null)
        {
            await AuditRejectedAsync(request.CreatedBy, login, verdict, request.Client);
            return verdict;
        }

        var now = time.GetUtcNow();
        var user = new User
        {
            Id = Guid.CreateVersion7(now),
            Login = login,
            // A display name is for people to recognise an account, not contact data: addresses and card numbers are masked.
            DisplayName = Compliance.SensitiveText.Redact(displayName),
            Status = UserStatus.Active,
            Clearance = request.Clearance,
            PasswordHash = hasher.Hash(request.Password!),
            PasswordChangedAt = now,
            CreatedBy = request.CreatedBy,
            CreatedAt = now,
        };
        db.Users.Add(user);
        try
        {
            await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.UserCreated, "user.create", request.CreatedBy, "user/" + login, "success", request.Client,
                new Dictionary<string, object?> { ["clearance"] = request.Clearance.ToString().ToLowerInvariant() }), cancellationToken);
        }
        catch (DbUpdateException)
        {
            db.Entry(user).State = EntityState.Detached;
            return new Failure(UserErrors.Exists, 409, $"A user '{login}' already exists.");
        }

        return user;
    }

    /// <summary>The user whose login is <paramref name="login"/> (found by its blind index), or null.</summary>
    /// <exception cref="PersonalFieldIntegrityException">The row the index finds fails its integrity check.</exception>
    public Task<User?> FindAsync(string login, CancellationToken cancellationToken = default) => FindByLoginAsync(db, fields, login, cancellationToken);

    /// <summary>Finds a user by login through the blind index; the opened login must be the one asked for.</summary>
    internal static async Task<User?> FindByLoginAsync(BulwarkDbContext db, PersonalFields fields, string login, CancellationToken cancellationToken)
    {
        var normalized = NormalizeLogin(login);
        var index = fields.LoginIndex(normalized);
        var user = await db.Users.FirstOrDefaultAsync(u => u.LoginIndex == index, cancellationToken);
        if (user is not null && !string.Equals(user.Login, normalized, StringComparison.Ordinal))
        {
            throw new PersonalFieldIntegrityException(user.Id, "its login is not the one its index was found by");
        }

        return user;
    }

    /// <summary>Every user, by login: the logins are sealed, so they are sorted after decrypting.</summary>
    public async Task<List<User>> ListAsync(CancellationToken cancellationToken = default)
    {
        var users = await db.Users.AsNoTracking().ToListAsync(cancellationToken);
        users.Sort((a, b) => string.CompareOrdinal(a.Login, b.Login));
        return users;
    }

    /// <summary>Disabling signs the user out everywhere: refresh tokens are revoked and access tokens stop on the next request.</summary>
    public async Task<Outcome<User>> SetStatusAsync(string login, UserStatus status, string actor, string? client, CancellationToken cancellationToken = default)
    {
        var user = await FindAsync(login, cancellationToken);
        if (user is null)
        {
            return UserErrors.UserNotFound(login);
        }

        if (user.Status == status)
        {
            return user;
        }

        user.Status = status;
        if (status == UserStatus.Active)
        {
            user.FailedLogins = 0;
            user.LockedUntil = null;
        }

        await audit.SaveChangesAsync(db, new AuditEntry(status == UserStatus.Disabled ? AuditCodes.UserDisabled : AuditCodes.UserEnabled,
            status == UserStatus.Disabled ? "user.disable" : "user.enable", actor, "user/" + user.Login, "success", client), cancellationToken);
        if (status == UserStatus.Disabled)
        {
            await revocations.RevokePrincipalAsync(UserDirectory.PrincipalId(user.Id), user.Id, "user disabled", actor, client, cancellationToken);
        }

        directory.Invalidate(user.Id);
        return user;
    }

    public async Task<Outcome<bool>> DeleteAsync(string login, string actor, string? client, CancellationToken cancellationToken = default)
    {
        var user = await FindAsync(login, cancellationToken);
        if (user is null)
        {
            return UserErrors.UserNotFound(login);
        }

        var principalId = UserDirectory.PrincipalId(user.Id);
        await revocations.RevokePrincipalAsync(principalId, user.Id, "user deleted", actor, client, cancellationToken);
        db.Memberships.RemoveRange(await db.Memberships.Where(m => m.PrincipalId == principalId).ToListAsync(cancellationToken));
        db.RecoveryCodes.RemoveRange(await db.RecoveryCodes.Where(c => c.UserId == user.Id).ToListAsync(cancellationToken));
        db.RefreshTokens.RemoveRange(await db.RefreshTokens.Where(t => t.UserId == user.Id).ToListAsync(cancellationToken));
        db.Users.Remove(user);
        await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.UserDeleted, "user.delete", actor, "user/" + user.Login, "success", client), cancellationToken);
        directory.Invalidate(user.Id);
        return true;
    }

    /// <summary>Changes a password after verifying the current one. Checked against every profile of the user's projects.</summary>
    public async Task<Outcome<User>> ChangePasswordAsync(Guid userId, string current, string next, IReadOnlyList<PasswordProfile> profiles, string? client, CancellationToken cancellationToken = default)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null || user.Status != UserStatus.Active || hasher.Verify(user.PasswordHash, current ?? "") == PasswordVerification.Failed)
        {
            return new Failure(UserErrors.CurrentPasswordIncorrect, 403, "The current password is wrong.");
        }

        var history = History(user);
        var verdict = CheckPassword(next ?? "", user.Login, user.DisplayName, user.MfaEnrolled, profiles, [user.PasswordHash, .. history]);
        if (verdict is not null)
        {
            await AuditRejectedAsync(UserDirectory.PrincipalId(user.Id), user.Login, verdict, client);
            return verdict;
        }

        var depth = profiles.Max(p => p.HistoryDepth);
        user.PasswordHistory = string.Join('\n', new[] { user.PasswordHash }.Concat(history).Take(Math.Max(depth - 1, 0)));
        user.PasswordHash = hasher.Hash(next!);
        user.PasswordChangedAt = time.GetUtcNow();
        await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.PasswordChanged, "user.password", UserDirectory.PrincipalId(user.Id), "user/" + user.Login,
            "success", client), cancellationToken);
        return user;
    }

    /// <summary>The first profile the password fails, as a problem that carries the strength estimate and advice; null when accepted.</summary>
    public Failure? CheckPassword(string password, string login, string? displayName, bool hasMfa, IReadOnlyList<PasswordProfile> profiles, IReadOnlyList<string> previousHashes)
    {
        foreach (var profile in profiles)
        {
            var verdict = policy.Check(password, profile, new PasswordContext(login, displayName, hasMfa, previousHashes));
            if (!verdict.Accepted)
            {
                return new Failure(verdict.Code ?? UserErrors.PasswordRejected, 400, verdict.Message ?? "The password was rejected.", new Dictionary<string, object?>
                {
                    ["profile"] = profile.Name,
                    ["strength"] = new Dictionary<string, object?>
                    {
                        ["score"] = verdict.Strength.Score,
                        ["guessesLog10"] = Math.Round(verdict.Strength.GuessesLog10, 1),
                        ["warning"] = verdict.Strength.Warning,
                        ["suggestions"] = verdict.Strength.Suggestions,
                    },
                });
            }
        }

        return null;
    }

    private static string[] History(User user) =>
        user.PasswordHistory.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    // The password itself never reaches the ledger: only which rule it broke.
    private Task AuditRejectedAsync(string actor, string login, Failure verdict, string? client) =>
        audit.AppendAsync(new AuditEntry(AuditCodes.PasswordRejected, "user.password", actor, "user/" + login, "rejected", client,
            new Dictionary<string, object?> { ["code"] = verdict.Code }));

    // \A and \z, not ^ and $: "$" also matches before a final "\n".
    [GeneratedRegex(@"\A[a-z0-9][a-z0-9._@-]{1,63}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex LoginPattern();
}

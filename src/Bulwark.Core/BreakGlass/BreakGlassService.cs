using System.Globalization;
using System.Text;
using Bulwark.Core.Audit;
using Bulwark.Core.Identity;
using Bulwark.Core.Projects;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.BreakGlass;

/// <summary>
/// Emergency access (HIPAA §164.312(a)(2)(ii)): a person holding an eligible role in a project asks for a time-boxed set of
/// extra permissions there, with a reason. Starting is a high-severity audit event that the detection rules turn into an
/// incident and an alert; the elevation lapses on its own at expiry and can be ended early by its holder or a security officer.
/// </summary>
/// <remarks>
/// Elevation is decided per request from the database, not cached, so ending a session on one replica takes effect on
/// every replica at their next request. Only users may break glass: an API key is a standing credential, not a person
/// in an emergency, and it never proves a second factor.
/// </remarks>
internal sealed class BreakGlassService(
    IDbContextFactory<BulwarkDbContext> contexts,
    AuditLedger audit,
    IOptions<BreakGlassOptions> options,
    TimeProvider time)
{
    public const int MaxReasonLength = 500;

    public async Task<Outcome<BreakGlassSession>> StartAsync(BulwarkPrincipal caller, string? reason, TimeSpan? duration, string? client, CancellationToken ct = default)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return await RefuseAsync(caller, client, "disabled", new Failure(BreakGlassErrors.Disabled, 403, "Break-glass access is disabled on this instance."), ct);
        }

        if (caller.Kind != PrincipalKinds.User || caller.ProjectId == ProjectIds.AllProjects)
        {
            return await RefuseAsync(caller, client, "not-a-user",
                new Failure(BreakGlassErrors.NotEligible, 403, "Only a signed-in person may break glass, in one project (send the Bulwark-Project header)."), ct);
        }

        if (!caller.Roles.Any(settings.EffectiveEligibleRoles.Contains))
        {
            return await RefuseAsync(caller, client, "role",
                new Failure(BreakGlassErrors.NotEligible, 403,
                    $"Break glass needs one of these roles in project '{caller.ProjectId}': {string.Join(", ", settings.EffectiveEligibleRoles)}."), ct);
        }

        if (SanitizeReason(reason, settings.MinReasonLength) is not { } cleanReason)
        {
            return new Failure(BreakGlassErrors.Invalid, 400,
                $"A reason is required: {settings.MinReasonLength}–{MaxReasonLength} printable characters on one line, saying why emergency access is needed.");
        }

        var length = duration ?? settings.MaxDuration;
        if (length <= TimeSpan.Zero || length > settings.MaxDuration)
        {
            return new Failure(BreakGlassErrors.Invalid, 400,
                $"The duration must be more than 0 and at most {settings.MaxDuration.TotalMinutes.ToString(CultureInfo.InvariantCulture)} minutes.");
        }

        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await ExpireLapsedAsync(db, now, ct);
        if (await db.BreakGlassSessions.AnyAsync(s => s.UserId == caller.Id && s.ProjectId == caller.ProjectId && s.EndedAt == null && s.ExpiresAt > now, ct))
        {
            return new Failure(BreakGlassErrors.AlreadyActive, 409, $"You already have an active break-glass session in project '{caller.ProjectId}'; end it first.");
        }

        var session = new BreakGlassSession
        {
            Id = Guid.CreateVersion7(now),
            UserId = caller.Id,
            Login = caller.Name,
            ProjectId = caller.ProjectId,
            Reason = cleanReason,
            Permissions = string.Join(' ', settings.EffectivePermissions),
            StartedAt = now,
            ExpiresAt = now + length,
            ClientAddress = client,
        };
        db.BreakGlassSessions.Add(session);
        await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.BreakGlassStarted, "break-glass.start", caller.Id, Resource(session), "success", client,
            new Dictionary<string, object?>
            {
                ["severity"] = "high",
                ["login"] = caller.Name,
                ["reason"] = cleanReason,
                ["permissions"] = session.Permissions,
                ["expiresAt"] = session.ExpiresAt.ToString("O", CultureInfo.InvariantCulture),
                ["minutes"] = (int)Math.Ceiling(length.TotalMinutes),
            }, session.ProjectId), ct);
        return session;
    }

    /// <summary>Ends <paramref name="id"/> now. The holder may end their own; <paramref name="mayEndAny"/> (security officers) any.</summary>
    public async Task<Outcome<BreakGlassSession>> EndAsync(Guid id, BulwarkPrincipal caller, bool mayEndAny, string? client, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await ExpireLapsedAsync(db, now, ct);
        var session = await db.BreakGlassSessions.FirstOrDefaultAsync(s => s.Id == id, ct);

        // Someone else's session is as invisible as a missing one: ids cannot be probed.
        if (session is null || (!mayEndAny && session.UserId != caller.Id))
        {
            return new Failure(BreakGlassErrors.NotFound, 404, "No such break-glass session.");
        }

        if (session.EndedAt is not null)
        {
            return new Failure(BreakGlassErrors.Ended, 409, $"The session already ended at {session.EndedAt:u} ({session.EndedBy}).");
        }

        session.EndedAt = now;
        session.EndedBy = caller.Id;
        await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.BreakGlassEnded, "break-glass.end", caller.Id, Resource(session), "success", client,
            new Dictionary<string, object?> { ["holder"] = session.UserId, ["requests"] = session.Requests, ["early"] = true }, session.ProjectId), ct);
        await ResolveLoginsAsync(db, [session], ct);
        return session;
    }

    /// <summary>Sessions started since <paramref name="since"/> (newest first), or only the active ones.</summary>
    public async Task<IReadOnlyList<BreakGlassSession>> ListAsync(bool activeOnly, DateTimeOffset? since, int limit, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await ExpireLapsedAsync(db, now, ct);
        var query = db.BreakGlassSessions.AsNoTracking();
        if (activeOnly)
        {
            query = query.Where(s => s.EndedAt == null && s.ExpiresAt > now);
        }

        if (since is { } from)
        {
            query = query.Where(s => s.StartedAt >= from);
        }

        var sessions = await query.OrderByDescending(s => s.StartedAt).Take(Math.Clamp(limit, 1, 1000)).ToListAsync(ct);
        await ResolveLoginsAsync(db, sessions, ct);
        return sessions;
    }

    /// <summary>
    /// Fills in each holder's login from the user's sealed row. A deleted user, or a row that fails its integrity check,
    /// leaves the login empty: the session still shows its user id, and never another person's login.
    /// </summary>
    private static async Task ResolveLoginsAsync(BulwarkDbContext db, IReadOnlyList<BreakGlassSession> sessions, CancellationToken ct)
    {
        foreach (var holder in sessions.Select(s => s.UserId).Distinct(StringComparer.Ordinal))
        {
            var login = "";
            if (holder.StartsWith("user:", StringComparison.Ordinal) && Guid.TryParse(holder.AsSpan(5), out var userId))
            {
                try
                {
                    login = (await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, ct))?.Login ?? "";
                }
                catch (PersonalFieldIntegrityException)
                {
                    login = "";
                }
            }

            foreach (var session in sessions.Where(s => s.UserId == holder))
            {
                session.Login = login;
            }
        }
    }

    /// <summary>The caller's active session in its project, or null. Read on every request of a user, so ending one applies at once.</summary>
    public async Task<BreakGlassSession?> FindActiveAsync(string userId, string projectId, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var session = await db.BreakGlassSessions.AsNoTracking()
            .Where(s => s.UserId == userId && s.ProjectId == projectId && s.EndedAt == null)
            .OrderByDescending(s => s.ExpiresAt).FirstOrDefaultAsync(ct);
        if (session is null)
        {
            return null;
        }

        if (session.IsActiveAt(now))
        {
            return session;
        }

        await ExpireLapsedAsync(db, now, ct);
        return null;
    }

    /// <summary>Records one request served under break glass (the marker every such request gets in the ledger).</summary>
    public async Task RecordRequestAsync(BreakGlassSession session, string method, string path, int status, string? client, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.BreakGlassSessions.Where(s => s.Id == session.Id).ExecuteUpdateAsync(u => u.SetProperty(s => s.Requests, s => s.Requests + 1), ct);
        await audit.AppendAsync(new AuditEntry(AuditCodes.BreakGlassRequest, "break-glass.request", session.UserId, Resource(session),
            status < 400 ? "success" : "denied", client,
            new Dictionary<string, object?> { ["breakGlass"] = session.Id.ToString("N"), ["method"] = method, ["path"] = path, ["status"] = status },
            session.ProjectId));
    }

    /// <summary>Closes sessions whose time ran out, with an audit event each: expiry is automatic and recorded.</summary>
    private async Task ExpireLapsedAsync(BulwarkDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        var lapsed = await db.BreakGlassSessions.Where(s => s.EndedAt == null && s.ExpiresAt <= now).Take(100).ToListAsync(ct);
        if (lapsed.Count == 0)
        {
            return;
        }

        foreach (var s in lapsed)
        {
            s.EndedAt = s.ExpiresAt;
            s.EndedBy = "expiry";
        }

        try
        {
            await audit.SaveChangesAsync(db, lapsed.Select(s => new AuditEntry(AuditCodes.BreakGlassExpired, "break-glass.expire", "system", Resource(s), "success", null,
                new Dictionary<string, object?> { ["holder"] = s.UserId, ["requests"] = s.Requests }, s.ProjectId)), ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another request or replica expired them first; its audit events stand.
            foreach (var entry in db.ChangeTracker.Entries<BreakGlassSession>())
            {
                entry.State = EntityState.Detached;
            }
        }
    }

    private static string Resource(BreakGlassSession session) => "break-glass/" + session.Id.ToString("N");

    /// <summary>
    /// The reason as stored and audited: trimmed, inner whitespace runs collapsed to one space; null when it is too short,
    /// too long, or holds control or formatting characters (bidi overrides, zero-width joiners) that could disguise it in a log or UI.
    /// </summary>
    internal static string? SanitizeReason(string? reason, int minLength)
    {
        if (reason is null)
        {
            return null;
        }

        var builder = new StringBuilder(reason.Length);
        var space = false;
        foreach (var c in reason.Trim())
        {
            if (c is '\t' or ' ')
            {
                space = true;
                continue;
            }

            var category = char.GetUnicodeCategory(c);
            if (char.IsControl(c) || category is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned)
            {
                return null;
            }

            if (space && builder.Length > 0)
            {
                builder.Append(' ');
            }

            space = false;
            builder.Append(c);
        }

        var text = builder.ToString();
        return text.Length >= minLength && text.Length <= MaxReasonLength ? text : null;
    }

    private async Task<Failure> RefuseAsync(BulwarkPrincipal caller, string? client, string why, Failure failure, CancellationToken ct)
    {
        await audit.AppendAsync(new AuditEntry(AuditCodes.BreakGlassRefused, "break-glass.start", caller.Id, "break-glass/(new)", "denied", client,
            new Dictionary<string, object?> { ["reason"] = why }, caller.ProjectId == ProjectIds.AllProjects ? null : caller.ProjectId));
        _ = ct;
        return failure;
    }
}

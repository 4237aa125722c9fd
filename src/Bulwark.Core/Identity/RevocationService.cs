using Bulwark.Core.Audit;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Identity;

/// <summary>Revokes access tokens (one, a session, or every token of a principal). Effective on the next request.</summary>
internal sealed class RevocationService(BulwarkDbContext db, AuditLedger audit, RevocationList list, TimeProvider time)
{
    /// <summary>How long a revocation row must live: no access token outlives it.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(16);

    public async Task RevokeTokenAsync(string tokenId, string principalId, string actor, string? client, CancellationToken cancellationToken = default)
    {
        var revocation = Add(RevocationKind.Token, tokenId, "token revoked", actor);
        await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.TokenRevoked, "token.revoke", actor, principalId, "success", client,
            new Dictionary<string, object?> { ["jti"] = tokenId }), cancellationToken);
        list.Apply(revocation);
    }

    /// <summary>Every access token issued to the principal so far stops working, and its refresh tokens are revoked.</summary>
    /// <remarks>
    /// A user's revocation is keyed by the canonical id its tokens carry (<see cref="UserDirectory.PrincipalId"/>), whatever
    /// form <paramref name="principalId"/> came in: the list compares ordinally, so "user:6F96…" would match no token.
    /// </remarks>
    public async Task RevokePrincipalAsync(string principalId, Guid? userId, string reason, string actor, string? client, CancellationToken cancellationToken = default)
    {
        principalId = userId is { } user ? UserDirectory.PrincipalId(user) : principalId;
        var revocation = Add(RevocationKind.Principal, principalId, reason, actor);
        if (userId is { } id)
        {
            var now = time.GetUtcNow();
            await db.RefreshTokens.Where(t => t.UserId == id && t.RevokedAt == null).ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken);
        }

        await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.PrincipalRevoked, "principal.revoke", actor, principalId, "success", client,
            new Dictionary<string, object?> { ["reason"] = reason }), cancellationToken);
        list.Apply(revocation);
    }

    /// <summary>Ends one sign-in session: its refresh family and every access token minted from it.</summary>
    public async Task RevokeSessionAsync(Guid familyId, string principalId, string reason, string actor, string? client, CancellationToken cancellationToken = default)
    {
        var revocation = Add(RevocationKind.Session, familyId.ToString("D"), reason, actor);
        var now = time.GetUtcNow();
        await db.RefreshTokens.Where(t => t.FamilyId == familyId && t.RevokedAt == null).ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken);
        await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.TokenRevoked, "session.revoke", actor, principalId, "success", client,
            new Dictionary<string, object?> { ["session"] = familyId.ToString("D"), ["reason"] = reason }), cancellationToken);
        list.Apply(revocation);
    }

    private Revocation Add(RevocationKind kind, string subject, string reason, string actor)
    {
        var now = time.GetUtcNow();
        var revocation = new Revocation
        {
            Id = Guid.CreateVersion7(now),
            Kind = kind,
            Subject = subject,
            NotBefore = now,
            ExpiresAt = now + Retention,
            Reason = reason,
            CreatedBy = actor,
            CreatedAt = now,
        };
        db.Revocations.Add(revocation);
        return revocation;
    }
}

namespace Bulwark.Core.Identity;

/// <summary>
/// A refresh token. Each use rotates it (a new token in the same family, this one marked used); presenting a used token
/// again means it was stolen, so the whole family is revoked (RFC 9700 §4.14.2, refresh token rotation).
/// </summary>
internal sealed class RefreshToken
{
    public Guid Id { get; set; }
    public Guid FamilyId { get; set; }
    public Guid UserId { get; set; }

    /// <summary>HMAC-SHA256 of the token under a master-key-derived pepper; the token itself is shown once.</summary>
    public byte[] TokenHash { get; set; } = [];

    /// <summary>How the session was authenticated ("pwd otp"), carried into every access token of the family.</summary>
    public string Amr { get; set; } = "";
    public DateTimeOffset AuthTime { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>The family's absolute end: rotation never extends a session past it.</summary>
    public DateTimeOffset FamilyExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

namespace Bulwark.Core.Identity;

/// <summary>
/// A revoked access token (by <c>jti</c>) or principal (every token issued to it before <see cref="NotBefore"/>).
/// Checked on every request after the token cache, so a revocation takes effect on the next request.
/// </summary>
internal sealed class Revocation
{
    public Guid Id { get; set; }
    public RevocationKind Kind { get; set; }

    /// <summary>The token id or the principal id.</summary>
    public string Subject { get; set; } = "";
    public DateTimeOffset NotBefore { get; set; }

    /// <summary>After this, no token the revocation could match is still valid, so the row may be pruned.</summary>
    public DateTimeOffset ExpiresAt { get; set; }
    public string Reason { get; set; } = "";
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

namespace Bulwark.Core.Identity;

/// <summary>
/// An API key. Only a hash of the secret is stored; the public prefix finds the row without scanning.
/// </summary>
internal sealed class ApiKey
{
    public Guid Id { get; set; }

    /// <summary>The owning project (the tenant boundary).</summary>
    public string ProjectId { get; set; } = "";

    /// <summary>Public lookup id, e.g. "bwk_3f9a1c2d4e5b"; unique.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>HMAC-SHA256 of the secret under a key derived from the master key (a pepper).</summary>
    public byte[] SecretHash { get; set; } = [];
    public string Name { get; set; } = "";

    /// <summary>Space-separated scopes, e.g. "predict:fraud models:write".</summary>
    public string Scopes { get; set; } = "";
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>
    /// HMAC over the security-relevant columns (see <c>ApiKeyService.ComputeIntegrityTag</c>) under a master-key-derived
    /// key: someone who can write the database but does not hold the master key cannot widen scopes, extend expiry or
    /// un-revoke a key without authentication failing.
    /// </summary>
    public byte[] IntegrityTag { get; set; } = [];
}

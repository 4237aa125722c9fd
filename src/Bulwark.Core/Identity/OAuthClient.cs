namespace Bulwark.Core.Identity;

/// <summary>
/// A service that obtains access tokens with the OAuth 2.0 client-credentials grant (RFC 6749 §4.4), authenticating with
/// a client secret (stored as a keyed hash) or a signed JWT assertion (<c>private_key_jwt</c>, RFC 7523).
/// </summary>
internal sealed class OAuthClient
{
    public string ClientId { get; set; } = "";
    public string Name { get; set; } = "";
    public string ProjectId { get; set; } = "";

    /// <summary>Space-separated permissions the client's tokens carry within its project.</summary>
    public string Scopes { get; set; } = "";

    /// <summary>HMAC-SHA256 of the secret under a master-key-derived pepper; null for <c>private_key_jwt</c> clients.</summary>
    public byte[]? SecretHash { get; set; }

    /// <summary>The public JWK that verifies the client's assertions; null for secret clients.</summary>
    public string? PublicJwk { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DisabledAt { get; set; }
}

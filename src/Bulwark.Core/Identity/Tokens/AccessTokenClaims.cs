namespace Bulwark.Core.Identity.Tokens;

/// <summary>
/// What an access token says about its bearer. <paramref name="Amr"/> uses RFC 8176 values (<c>pwd</c>, <c>otp</c>,
/// <c>mfa</c>) or <c>client_secret</c> for the client-credentials grant; <paramref name="SessionId"/> is the refresh-token
/// family id, published as <c>sid</c> so a revoked family can be matched against live access tokens.
/// </summary>
internal sealed record AccessTokenClaims(
    string Subject,
    string? ClientId,
    IReadOnlyList<string> Amr,
    DateTimeOffset? AuthTime,
    IReadOnlyList<string> Scopes,
    string? SessionId);

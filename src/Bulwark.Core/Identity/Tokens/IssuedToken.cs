namespace Bulwark.Core.Identity.Tokens;

/// <summary>A freshly signed access token, its <c>jti</c> and expiry.</summary>
internal sealed record IssuedToken(string Token, string TokenId, DateTimeOffset ExpiresAt);

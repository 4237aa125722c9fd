using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Bulwark.Core.Identity.Tokens;

/// <summary>
/// Signs RFC 9068 JWT access tokens (ES256, <c>typ: at+jwt</c>) with the active key of a <see cref="SigningKeySet"/>.
/// </summary>
internal sealed class AccessTokenIssuer
{
    // RFC 9068 §2.1: the media type that tells an access token apart from an ID token signed by the same issuer.
    public const string AccessTokenType = "at+jwt";

    private readonly TokenOptions _options;
    private readonly TimeProvider _time;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public AccessTokenIssuer(TokenOptions options, TimeProvider time)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
            throw new ArgumentException("Invalid token options: " + string.Join(" ", errors), nameof(options));
        _options = options;
        _time = time;
    }

    public IssuedToken Issue(SigningKeySet keys, AccessTokenClaims claims)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(claims.Subject);
        var credentials = keys.ActiveCredentials
            ?? throw new InvalidOperationException("No active signing key: rotate a new key in before issuing tokens.");

        // Whole seconds: NumericDate (RFC 7519 §2) has no fraction in the handler's output, keep ExpiresAt identical.
        var now = DateTimeOffset.FromUnixTimeSeconds(_time.GetUtcNow().ToUnixTimeSeconds());
        var expires = now + _options.AccessTokenLifetime;
        // RFC 9068 §2.2: jti is required; 128 random bits make it unguessable and unique.
        var tokenId = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

        var payload = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [JwtRegisteredClaimNames.Sub] = claims.Subject,
            [JwtRegisteredClaimNames.Jti] = tokenId,
        };
        if (claims.Amr.Count > 0)
            payload[JwtRegisteredClaimNames.Amr] = claims.Amr.ToArray();
        if (claims.AuthTime is { } authTime)
            payload[JwtRegisteredClaimNames.AuthTime] = authTime.ToUnixTimeSeconds();
        if (claims.ClientId is not null)
            payload["client_id"] = claims.ClientId;
        // RFC 9068 §2.2.3 / RFC 8693 §4.2: space-separated scope string.
        if (claims.Scopes.Count > 0)
            payload["scope"] = string.Join(' ', claims.Scopes);
        if (claims.SessionId is not null)
            payload[JwtRegisteredClaimNames.Sid] = claims.SessionId;

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            TokenType = AccessTokenType,
            SigningCredentials = credentials,
            Claims = payload,
        };
        return new IssuedToken(_handler.CreateToken(descriptor), tokenId, expires);
    }
}

using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Bulwark.Core.Identity.Tokens;

/// <summary>
/// Validates bearer access tokens from our own issuer (ES256, <c>typ: at+jwt</c>, our key set) and from configured
/// external issuers (their algorithms, their JWKS), following the JWT BCP (RFC 8725) and RFC 9068.
/// </summary>
/// <remarks>
/// Keys are only ever looked up by exact <c>kid</c> in the key set of the issuer the token names: <c>jku</c>, <c>x5u</c>,
/// <c>jwk</c> and <c>x5c</c> headers are never consulted (RFC 8725 §3.10), and there is no fallback to trying every key.
/// Revocation (refresh family, user disabled) is not checked here: the caller checks it on every request, after the
/// cache, because a cached validation says nothing about revocation.
/// </remarks>
internal sealed class AccessTokenValidator
{
    // Larger than any sane access token; refusing before parsing caps the work an attacker can cause.
    public const int MaxTokenLength = 8 * 1024;

    private static readonly HashSet<string> OwnAlgorithms = new(StringComparer.Ordinal) { SecurityAlgorithms.EcdsaSha256 };

    private readonly TokenOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<SigningKeySet> _ownKeys;
    private readonly Dictionary<string, ExternalIssuer> _external;
    private readonly ValidatedTokenCache? _cache;
    private readonly JsonWebTokenHandler _handler = new() { MaximumTokenSizeInBytes = MaxTokenLength };

    public AccessTokenValidator(
        TokenOptions options,
        TimeProvider time,
        Func<SigningKeySet> ownKeys,
        IReadOnlyDictionary<string, IJwksSource> externalSources,
        ValidatedTokenCache? cache = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
            throw new ArgumentException("Invalid token options: " + string.Join(" ", errors), nameof(options));
        _options = options;
        _time = time;
        _ownKeys = ownKeys;
        _cache = cache;
        _external = new(StringComparer.Ordinal);
        foreach (var external in options.ExternalIssuers)
        {
            if (!externalSources.TryGetValue(external.Issuer, out var source))
                throw new ArgumentException($"No JWKS source for external issuer '{external.Issuer}'.", nameof(externalSources));
            _external[external.Issuer] = new ExternalIssuer(external, source, new HashSet<string>(external.EffectiveAlgorithms, StringComparer.Ordinal));
        }
    }

    public TokenValidation Validate(string token)
    {
        if (string.IsNullOrEmpty(token))
            return TokenValidation.Failed(TokenFailureCodes.Malformed);
        if (token.Length > MaxTokenLength)
            return TokenValidation.Failed(TokenFailureCodes.TooLarge);
        if (_cache?.Get(token) is { } cached)
            return TokenValidation.Success(cached);

        TokenValidation result;
        try
        {
            result = ValidateUncached(token);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or StackOverflowException))
        {
            // Whatever a hostile token makes a parser throw, the answer is "no", never a 500.
            result = TokenValidation.Failed(TokenFailureCodes.Malformed);
        }

        // Only successes are cached: caching failures would let a flood of forged tokens pin memory.
        if (result.Token is { } validated)
            _cache?.Add(token, validated);
        return result;
    }

    private TokenValidation ValidateUncached(string token)
    {
        using var jwt = UnverifiedJwt.TryParse(token);
        if (jwt is null)
            return TokenValidation.Failed(TokenFailureCodes.Malformed);

        // RFC 7515 §4.1.11: a crit extension we do not understand makes the token invalid; we understand none.
        if (jwt.HasHeader("crit"))
            return TokenValidation.Failed(TokenFailureCodes.CritUnsupported);

        // The unverified iss only chooses whose rules and keys apply; a lie about it fails the signature check.
        var issuer = jwt.PayloadString("iss");
        var isOwn = string.Equals(issuer, _options.Issuer, StringComparison.Ordinal);
        ExternalIssuer? external = null;
        if (issuer is null || (!isOwn && !_external.TryGetValue(issuer, out external)))
            return TokenValidation.Failed(TokenFailureCodes.IssuerInvalid);

        // RFC 8725 §3.1: per-issuer allow-list, compared exactly, so none/None/HS256 never reach a verifier.
        var algorithms = external?.Algorithms ?? OwnAlgorithms;
        if (jwt.HeaderString("alg") is not { } alg || !algorithms.Contains(alg))
            return TokenValidation.Failed(TokenFailureCodes.AlgorithmNotAllowed);

        var typ = jwt.HeaderString("typ");
        bool TypeAccepted(string? type) => external is null
            ? TokenTypes.Matches(type, [AccessTokenIssuer.AccessTokenType])
            : !external.Options.RequireTyp || TokenTypes.Matches(type, external.Options.EffectiveAcceptedTypes);
        if (!TypeAccepted(typ))
            return TokenValidation.Failed(TokenFailureCodes.TypeInvalid);

        // RFC 8725 §3.10: kid is looked up in this issuer's in-memory set only.
        SecurityKey? key = null;
        var kid = jwt.HeaderString("kid");
        var found = kid is not null && (external is null ? _ownKeys().TryGetVerificationKey(kid, out key) : external.Source.TryGetKey(kid, out key));
        if (!found || key is null)
            return TokenValidation.Failed(TokenFailureCodes.KeyUnknown);

        if (!jwt.HasSignature)
            return TokenValidation.Failed(TokenFailureCodes.SignatureInvalid);
        if (jwt.PayloadTime("exp", out var expPresent) is null)
            return TokenValidation.Failed(expPresent ? TokenFailureCodes.Malformed : TokenFailureCodes.LifetimeMissing);

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidateIssuer = true,
            ValidAudience = external?.Options.Audience ?? _options.Audience,
            ValidateAudience = true,
            RequireAudience = true,
            ValidAlgorithms = algorithms,
            TypeValidator = (type, _, _) => TypeAccepted(type)
                ? type
                : throw new SecurityTokenInvalidTypeException("Token type not accepted."),
            // The one key chosen above; header-supplied key material (jwk, x5c, jku, x5u) is never used.
            IssuerSigningKeyResolver = (_, _, _, _) => [key],
            TryAllIssuerSigningKeys = false,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = false,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = _options.ClockSkew,
            LifetimeValidator = ValidateLifetime,
            ValidateTokenReplay = false,
        };
        var result = _handler.ValidateTokenAsync(token, parameters).GetAwaiter().GetResult();
        if (!result.IsValid)
            return TokenValidation.Failed(MapFailure(result.Exception));

        return ReadClaims(jwt, issuer, external?.Options);
    }

    /// <summary>RFC 7519 §4.1.4/§4.1.5 against the injected clock (the handler's default reads the system clock).</summary>
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        if (expires is null)
            throw new SecurityTokenNoExpirationException("The token has no expiration time.");
        if (notBefore is { } nbf && nbf > now + _options.ClockSkew)
            throw new SecurityTokenNotYetValidException("The token is not yet valid.") { NotBefore = nbf };
        if (expires.Value + _options.ClockSkew <= now)
            throw new SecurityTokenExpiredException("The token has expired.") { Expires = expires.Value };
        return true;
    }

    private TokenValidation ReadClaims(UnverifiedJwt jwt, string issuer, ExternalIssuerOptions? external)
    {
        // RFC 9068 §2.2: iat and sub are required. A far-future iat means a broken or hostile signer.
        if (jwt.PayloadTime("iat", out _) is not { } issuedAt || jwt.PayloadString("sub") is not { Length: > 0 } subject)
            return TokenValidation.Failed(TokenFailureCodes.Malformed);
        if (issuedAt > _time.GetUtcNow() + _options.ClockSkew)
            return TokenValidation.Failed(TokenFailureCodes.NotYetValid);
        var expiresAt = jwt.PayloadTime("exp", out _)!.Value;

        IReadOnlyList<string> roles = [];
        IReadOnlyList<string> projects = [];
        var scopes = jwt.PayloadStrings("scope", splitOnSpaces: true);
        var clientId = jwt.PayloadString("client_id");
        if (external is not null)
        {
            // A namespaced subject can never equal a local user id, whatever the provider puts in sub.
            subject = $"ext:{external.SubjectPrefix}:{subject}";
            roles = [.. jwt.PayloadStrings(external.RoleClaim)
                .Select(value => external.RoleMap.TryGetValue(value, out var mapped) ? mapped : null)
                .OfType<string>()
                .Distinct(StringComparer.Ordinal)];
            projects = external.ProjectClaim is null ? [] : [.. jwt.PayloadStrings(external.ProjectClaim).Distinct(StringComparer.Ordinal)];
            // Some providers publish scopes as an "scp" array and the client as "azp" (OpenID Connect Core §2).
            if (scopes.Count == 0)
                scopes = jwt.PayloadStrings("scp", splitOnSpaces: true);
            clientId ??= jwt.PayloadString("azp");
        }

        return TokenValidation.Success(new ValidatedToken(
            issuer,
            subject,
            jwt.PayloadString("jti"),
            expiresAt,
            issuedAt,
            jwt.PayloadTime("auth_time", out _),
            jwt.PayloadStrings("amr"),
            scopes,
            clientId,
            jwt.PayloadString("sid"),
            external is not null,
            roles,
            projects));
    }

    private static string MapFailure(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => TokenFailureCodes.Expired,
        SecurityTokenNotYetValidException => TokenFailureCodes.NotYetValid,
        SecurityTokenNoExpirationException => TokenFailureCodes.LifetimeMissing,
        SecurityTokenInvalidIssuerException => TokenFailureCodes.IssuerInvalid,
        SecurityTokenInvalidAudienceException => TokenFailureCodes.AudienceInvalid,
        SecurityTokenInvalidAlgorithmException => TokenFailureCodes.AlgorithmNotAllowed,
        SecurityTokenInvalidTypeException => TokenFailureCodes.TypeInvalid,
        SecurityTokenSignatureKeyNotFoundException => TokenFailureCodes.KeyUnknown,
        SecurityTokenInvalidSignatureException => TokenFailureCodes.SignatureInvalid,
        _ => TokenFailureCodes.Malformed,
    };
}

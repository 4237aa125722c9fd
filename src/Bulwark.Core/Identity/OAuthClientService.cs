using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Identity.Tokens;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Bulwark.Core.Identity;

/// <summary>
/// OAuth 2.0 clients for services: registration (a secret shown once, or a public key for <c>private_key_jwt</c>),
/// client authentication at the token endpoint, and the client-credentials grant (RFC 6749 §4.4).
/// </summary>
internal sealed class OAuthClientService(
    BulwarkDbContext db,
    AuditLedger audit,
    SigningKeyStore keys,
    AccessTokenIssuer issuer,
    KeyRing keyRing,
    ClientAssertionReplayCache replays,
    IOptions<TokenOptions> tokenOptions,
    TimeProvider time)
{
    public const string SecretPrefix = "bwc_";
    public const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private static readonly TimeSpan MaxAssertionLifetime = TimeSpan.FromMinutes(5);
    private static readonly JsonWebTokenHandler Handler = new() { MaximumTokenSizeInBytes = 8 * 1024 };
    private readonly byte[] _pepper = keyRing.DeriveKey("oauth-client-secret-pepper");

    public sealed record Registered(OAuthClient Client, string? Secret);

    public sealed record Granted(IssuedToken Token, IReadOnlyList<string> Scopes);

    public async Task<Outcome<Registered>> RegisterAsync(string projectId, string name, IReadOnlyCollection<string> scopes, string? publicJwk, string actor, string? client, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 128 || name.Any(char.IsControl))
        {
            return new Failure("client.invalid", 400, "A client name is 1–128 printable characters.");
        }

        if (scopes.Count is 0 or > 64 || scopes.Any(s => !Permissions.IsValidScope(s) || s == Permissions.Admin))
        {
            return new Failure("client.invalid", 400, "A client needs 1–64 valid scopes; services never hold 'admin'.");
        }

        if (publicJwk is not null && ParseKey(publicJwk) is null)
        {
            return new Failure("client.invalid", 400, "publicJwk must be one EC (P-256/384/521) or RSA (≥ 2048 bits) public JWK with a kid.");
        }

        var now = time.GetUtcNow();
        string? secret = null;
        var row = new OAuthClient
        {
            ClientId = "bwcl_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            Name = name,
            ProjectId = projectId,
            Scopes = string.Join(' ', scopes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
            PublicJwk = publicJwk,
            CreatedBy = actor,
            CreatedAt = now,
        };
        if (publicJwk is null)
        {
            var bytes = RandomNumberGenerator.GetBytes(32);
            secret = SecretPrefix + Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            CryptographicOperations.ZeroMemory(bytes);
            row.SecretHash = Hash(secret);
        }

        db.OAuthClients.Add(row);
        await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.ApiKeyCreated, "client.create", actor, "client/" + row.ClientId, "success", client,
            new Dictionary<string, object?> { ["name"] = name, ["scopes"] = row.Scopes, ["auth"] = publicJwk is null ? "client_secret" : "private_key_jwt" },
            projectId), cancellationToken);
        return new Registered(row, secret);
    }

    public Task<List<OAuthClient>> ListAsync(string projectId, CancellationToken cancellationToken = default) =>
        db.OAuthClients.AsNoTracking().Where(c => c.ProjectId == projectId).OrderBy(c => c.ClientId).ToListAsync(cancellationToken);

    public async Task<bool> DisableAsync(string projectId, string clientId, string actor, string? client, CancellationToken cancellationToken = default)
    {
        var row = await db.OAuthClients.FirstOrDefaultAsync(c => c.ClientId == clientId && c.ProjectId == projectId, cancellationToken);
        if (row is null)
        {
            return false;
        }

        row.DisabledAt ??= time.GetUtcNow();
        await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.ApiKeyRevoked, "client.disable", actor, "client/" + clientId, "success", client, ProjectId: projectId),
            cancellationToken);
        return true;
    }

    /// <summary>
    /// The client-credentials grant. Exactly one client authentication method must be used (RFC 6749 §2.3); any failure
    /// is the same <c>invalid_client</c>, so client ids cannot be probed.
    /// </summary>
    public async Task<Outcome<Granted>> GrantAsync(string? clientId, string? secret, string? assertionType, string? assertion, string? scope, IReadOnlyCollection<string> audiences, string? caller, CancellationToken cancellationToken = default)
    {
        var invalidClient = new Failure("invalid_client", 401, "Client authentication failed.");
        OAuthClient? row;
        string method;
        if (assertion is not null || assertionType is not null)
        {
            if (secret is not null || assertionType != AssertionType || string.IsNullOrEmpty(assertion))
            {
                return invalidClient;
            }

            var subject = UnverifiedSubject(assertion);
            row = subject is null ? null : await FindActiveAsync(subject, cancellationToken);
            if (row?.PublicJwk is null || (clientId is not null && clientId != row.ClientId) || !VerifyAssertion(row, assertion, audiences))
            {
                await AuditFailureAsync(subject, "assertion", caller);
                return invalidClient;
            }

            method = "private_key_jwt";
        }
        else
        {
            row = string.IsNullOrEmpty(clientId) || clientId.Length > 64 ? null : await FindActiveAsync(clientId, cancellationToken);

            // Hash even for unknown clients: timing must not reveal which ids exist.
            var presented = Hash(secret ?? "");
            if (row?.SecretHash is null || string.IsNullOrEmpty(secret) || !CryptographicOperations.FixedTimeEquals(presented, row.SecretHash))
            {
                await AuditFailureAsync(clientId, "secret", caller);
                return invalidClient;
            }

            method = "client_secret";
        }

        var allowed = row.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var requested = string.IsNullOrWhiteSpace(scope) ? allowed : scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (requested.Length > 64 || requested.Any(s => !allowed.Contains(s, StringComparer.Ordinal)))
        {
            return new Failure("invalid_scope", 400, "The requested scope exceeds what this client was registered with.");
        }

        var token = issuer.Issue(keys.Current, new AccessTokenClaims("client:" + row.ClientId, row.ClientId, [method], time.GetUtcNow(), requested, null));
        await audit.AppendAsync(new AuditEntry(AuditCodes.ClientTokenIssued, "client.token", "client:" + row.ClientId, "client/" + row.ClientId, "success", caller,
            new Dictionary<string, object?> { ["method"] = method, ["scope"] = string.Join(' ', requested), ["jti"] = token.TokenId }, row.ProjectId));
        return new Granted(token, requested);
    }

    private Task<OAuthClient?> FindActiveAsync(string clientId, CancellationToken cancellationToken) =>
        db.OAuthClients.AsNoTracking().FirstOrDefaultAsync(c => c.ClientId == clientId && c.DisabledAt == null, cancellationToken);

    private Task AuditFailureAsync(string? clientId, string method, string? caller) =>
        audit.AppendAsync(new AuditEntry(AuditCodes.AuthenticationFailed, "client.token", "anonymous",
            clientId is { Length: <= 64 } && clientId.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? "client/" + clientId : "client", "denied", caller,
            new Dictionary<string, object?> { ["method"] = method }));

    /// <summary>RFC 7523 §3: iss = sub = client id, aud = us, exp required and short, jti used once, signed by the registered key only.</summary>
    private bool VerifyAssertion(OAuthClient row, string assertion, IReadOnlyCollection<string> audiences)
    {
        var key = ParseKey(row.PublicJwk!);
        if (key is null)
        {
            return false;
        }

        var result = Handler.ValidateTokenAsync(assertion, new TokenValidationParameters
        {
            ValidIssuer = row.ClientId,
            ValidAudiences = audiences,
            IssuerSigningKey = key,

            // The registered key only: jku/x5u/jwk headers and other keys are never consulted (RFC 8725 §3.10).
            IssuerSigningKeyResolver = (_, _, _, _) => [key],
            ValidAlgorithms = ["ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"],
            RequireSignedTokens = true,
            RequireExpirationTime = true,

            // Lifetime is checked below against the injected clock.
            ValidateLifetime = false,
            TryAllIssuerSigningKeys = false,
        }).GetAwaiter().GetResult();
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt || jwt.Subject != row.ClientId)
        {
            return false;
        }

        var now = time.GetUtcNow();
        var skew = tokenOptions.Value.ClockSkew;
        if (!jwt.TryGetPayloadValue<long>("exp", out var exp) || !jwt.TryGetPayloadValue<string>("jti", out var jti) || string.IsNullOrEmpty(jti))
        {
            return false;
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(exp);
        if (expires + skew < now || expires - now > MaxAssertionLifetime + skew)
        {
            return false;
        }

        if (jwt.TryGetPayloadValue<long>("nbf", out var nbf) && DateTimeOffset.FromUnixTimeSeconds(nbf) - skew > now)
        {
            return false;
        }

        return replays.TryUse(row.ClientId + "/" + jti, expires + skew, now);
    }

    private static string? UnverifiedSubject(string assertion)
    {
        try
        {
            var jwt = new JsonWebToken(assertion);
            return jwt.Subject is { Length: > 0 and <= 64 } subject && jwt.Issuer == subject ? subject : null;
        }
        catch (ArgumentException)
        {
            // SecurityTokenMalformedException derives from it: not a JWT at all.
            return null;
        }
    }

    private static SecurityKey? ParseKey(string jwk)
    {
        if (jwk.Length > 4096)
        {
            return null;
        }

        var keys = JwksParser.Parse(Encoding.UTF8.GetBytes("{\"keys\":[" + jwk + "]}"));
        return keys is { Count: 1 } ? keys.Values.Single() : null;
    }

    private byte[] Hash(string secret) => HMACSHA256.HashData(_pepper, Encoding.UTF8.GetBytes(secret));
}

using Bulwark.Core.Access;
using Bulwark.Core.Identity;
using Bulwark.Core.Identity.Tokens;
using Microsoft.Extensions.Options;

namespace Bulwark.Server.Authentication;

/// <summary>
/// Turns a bearer access token into a <see cref="BulwarkIdentity"/>: validate (signature, issuer, audience, type,
/// lifetime per RFC 8725, cached until expiry), then check revocation, then load the user's current roles. Revocation
/// and user state are checked on every request, after the cache, so they take effect on the next request.
/// </summary>
internal sealed class BearerTokenAuthenticator(
    AccessTokenValidator validator,
    RevocationList revocations,
    UserDirectory users,
    ClientDirectory clients,
    RoleRegistry roles,
    IOptions<SignInOptions> sessions)
{
    public async ValueTask<(BulwarkIdentity? Identity, string? Failure)> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        var validation = validator.Validate(token);
        if (validation.Token is not { } t)
        {
            return (null, validation.FailureCode ?? "token.invalid");
        }

        if (revocations.IsRevoked(t.TokenId, t.Subject, t.SessionId, t.IssuedAt))
        {
            return (null, "token.revoked");
        }

        var mfa = t.Amr.Any(a => a is "otp" or "mfa" or "hwk" or "swk");
        if (t.IsExternal)
        {
            // Roles and projects come from the IdP's claims, already mapped to Bulwark roles by the issuer's configuration.
            // Project names from the IdP are taken literally and only if they are project ids: never "*" (every project).
            var projectRoles = t.Roles.ToHashSet(StringComparer.Ordinal);
            return (new BulwarkIdentity(t.Subject, t.Subject, PrincipalKinds.External, "external_jwt")
            {
                RolesByProject = t.Projects.Where(Core.Projects.ProjectIds.IsValid).Distinct(StringComparer.Ordinal)
                    .ToDictionary(p => p, p => (IReadOnlySet<string>)WithoutUnprotectedPrivilege(projectRoles, mfa), StringComparer.Ordinal),
                Mfa = mfa,
                AuthTime = t.AuthTime,
                TokenId = t.TokenId,
            }, null);
        }

        if (t.Subject.StartsWith("client:", StringComparison.Ordinal))
        {
            // A service: bound to its client's project; scopes are what the token was granted and the client still holds.
            var client = await clients.FindAsync(t.Subject[7..], cancellationToken);
            if (client is null || client.Disabled || t.ClientId != client.ClientId)
            {
                return (null, "token.client-inactive");
            }

            return (new BulwarkIdentity(t.Subject, client.Name, PrincipalKinds.Service, "client_credentials")
            {
                BoundProject = client.ProjectId,
                BoundScopes = t.Scopes.Where(client.Scopes.Contains).ToHashSet(StringComparer.Ordinal),
                AuthTime = t.AuthTime,
                TokenId = t.TokenId,
            }, null);
        }

        if (!t.Subject.StartsWith("user:", StringComparison.Ordinal) || !Guid.TryParse(t.Subject.AsSpan(5), out var userId))
        {
            return (null, "token.subject-unknown");
        }

        var user = await users.FindAsync(userId, cancellationToken);
        if (user is null || user.Status != UserStatus.Active)
        {
            return (null, "token.user-inactive");
        }

        return (new BulwarkIdentity(t.Subject, user.Login, PrincipalKinds.User, "jwt")
        {
            RolesByProject = user.RolesByProject.ToDictionary(p => p.Key, p => (IReadOnlySet<string>)WithoutUnprotectedPrivilege(p.Value, mfa), StringComparer.Ordinal),
            Mfa = mfa,
            AuthTime = t.AuthTime,
            Clearance = user.Clearance,
            TokenId = t.TokenId,
        }, null);
    }

    /// <summary>
    /// Privileged roles (admin, security-officer, approver by default) are inactive in a session without a second factor:
    /// the person can still sign in, and enrol MFA, but not act with them.
    /// </summary>
    private HashSet<string> WithoutUnprotectedPrivilege(IReadOnlySet<string> held, bool mfa)
    {
        var result = new HashSet<string>(held, StringComparer.Ordinal);
        if (!mfa && sessions.Value.RequireMfaForPrivilegedRoles)
        {
            result.ExceptWith(roles.Current.MfaRequiredRoles);
        }

        return result;
    }
}

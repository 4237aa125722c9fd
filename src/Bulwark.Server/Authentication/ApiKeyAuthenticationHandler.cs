using System.Security.Claims;
using System.Text.Encodings.Web;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Identity;
using Bulwark.Core.Telemetry;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Bulwark.Server.Authentication;

/// <summary>
/// Bulwark's one authentication scheme: <c>Authorization: Bearer &lt;access token&gt;</c> (<see cref="BearerTokenAuthenticator"/>),
/// <c>Authorization: ApiKey &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c>. Every failed attempt is audited with the key's
/// public prefix only, never the secret or the token.
/// Every failure is counted by <see cref="AuthFailureLimiter"/>; <see cref="AuthFailureThrottleMiddleware"/> refuses the
/// partition before this handler runs once it is over the limit.
/// </summary>
internal sealed partial class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    AuditLedger audit,
    AuthFailureLimiter failures)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ApiKeyHeader = "X-Api-Key";
    public const string BearerScheme = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? presented = null;
        var authorization = Request.Headers.Authorization;
        if (authorization.Count > 1 || Request.Headers[ApiKeyHeader].Count > 1)
        {
            return await FailAsync("malformed", null);
        }

        if (authorization.Count == 1)
        {
            var value = authorization[0] ?? "";
            if (value.StartsWith(BearerScheme + " ", StringComparison.OrdinalIgnoreCase))
            {
                return Request.Headers[ApiKeyHeader].Count > 0
                    ? await FailAsync("malformed", null)
                    : await AuthenticateBearerAsync(value[(BearerScheme.Length + 1)..].Trim());
            }

            if (!value.StartsWith(SchemeName + " ", StringComparison.OrdinalIgnoreCase))
            {
                // Other schemes are not accepted: fail rather than silently treating the caller as anonymous.
                return await FailAsync("malformed", null);
            }

            presented = value[(SchemeName.Length + 1)..].Trim();
        }

        if (Request.Headers[ApiKeyHeader] is { Count: 1 } header)
        {
            if (presented is not null)
            {
                return await FailAsync("malformed", null);
            }

            presented = header[0]?.Trim();
        }

        if (presented is null)
        {
            return await AuthenticateClientCertificateAsync();
        }

        var keys = Context.RequestServices.GetRequiredService<ApiKeyService>();
        var result = await keys.AuthenticateAsync(presented, Context.RequestAborted);
        if (result.Identity is not { } identity)
        {
            var prefix = presented.Length >= 16 && presented.StartsWith(ApiKeyService.KeyPrefix, StringComparison.Ordinal) ? presented[..16] : null;
            return await FailAsync(result.FailureReason ?? "invalid", prefix);
        }

        // Permissions depend on the request's project; ProjectResolutionMiddleware turns the identity into the principal.
        Context.SetIdentity(identity);
        var claims = new List<Claim>
        {
            new("sub", identity.Id),
            new("name", identity.Name),
            new("amr", identity.AuthenticationMethod),
        };
        var claimsIdentity = new ClaimsIdentity(claims, SchemeName, "name", "role");
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(claimsIdentity), SchemeName));
    }

    private async Task<AuthenticateResult> AuthenticateBearerAsync(string token)
    {
        var bearer = Context.RequestServices.GetRequiredService<BearerTokenAuthenticator>();
        var (identity, failure) = await bearer.AuthenticateAsync(token, Context.RequestAborted);
        if (identity is null)
        {
            return await FailAsync(failure ?? "token.invalid", null, "token");
        }

        Context.SetIdentity(identity);
        var claims = new List<Claim> { new("sub", identity.Id), new("name", identity.Name), new("amr", identity.AuthenticationMethod) };
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, "name", "role")), SchemeName));
    }

    /// <summary>Mutual TLS (when enabled): only when no other credential was sent, so a header always decides.</summary>
    private async Task<AuthenticateResult> AuthenticateClientCertificateAsync()
    {
        var certificates = Context.RequestServices.GetRequiredService<ClientCertificateAuthenticator>();
        if (!certificates.Enabled || Context.Connection.ClientCertificate is not { } certificate)
        {
            return AuthenticateResult.NoResult();
        }

        var (identity, failure) = await certificates.AuthenticateAsync(certificate, Context.RequestAborted);
        if (identity is null)
        {
            return await FailAsync(failure ?? "certificate.untrusted", null, "certificate");
        }

        Context.SetIdentity(identity);
        var claims = new List<Claim> { new("sub", identity.Id), new("name", identity.Name), new("amr", identity.AuthenticationMethod) };
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, "name", "role")), SchemeName));
    }

    private async Task<AuthenticateResult> FailAsync(string reason, string? prefix, string credential = "key")
    {
        LogAuthenticationFailed(Logger, reason, prefix ?? "(none)");
        Context.RequestServices.GetRequiredService<BulwarkMetrics>().AuthDenied(DenialReasons.Authentication);
        if (!failures.RecordFailure(RateLimiting.AnonymousPartition(Context.Connection.RemoteIpAddress)))
        {
            // Over the limit already (requests that raced past the throttle): the one "throttled" event covers these.
            return AuthenticateResult.Fail(reason);
        }

        await audit.AppendAsync(new AuditEntry(AuditCodes.AuthenticationFailed, "auth.authenticate", "anonymous", prefix is null ? credential : "key/" + prefix,
            "denied", Context.Connection.RemoteIpAddress?.ToString(),
            new Dictionary<string, object?> { ["reason"] = reason, ["method"] = Request.Method, ["path"] = AuditPath.Of(Request) }));
        return AuthenticateResult.Fail(reason);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (!Request.Headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.Authorization) && !Request.Headers.ContainsKey(ApiKeyHeader))
        {
            Context.RequestServices.GetRequiredService<BulwarkMetrics>().AuthDenied(DenialReasons.Unauthenticated);
        }

        // RFC 9110 §11.6.1: one challenge per accepted scheme; RFC 6750 §3 for Bearer.
        Response.Headers.WWWAuthenticate = new Microsoft.Extensions.Primitives.StringValues([SchemeName, BearerScheme + " realm=\"bulwark\""]);
        await Problems.WriteAsync(Context, ErrorCodes.Unauthenticated, StatusCodes.Status401Unauthorized,
            "A valid credential is required: 'Authorization: Bearer <access token>', 'Authorization: ApiKey <key>' or 'X-Api-Key: <key>'.");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var principal = Context.GetPrincipalOrNull();
        var permission = Context.GetEndpoint()?.Metadata.GetMetadata<PermissionMetadata>()?.Permission;
        var metrics = Context.RequestServices.GetRequiredService<BulwarkMetrics>();
        if (principal is not null && AccessEvaluator.DenialOf(Context) is { } denial)
        {
            metrics.AuthDenied(DenialReasons.Policy);
            await Context.RequestServices.GetRequiredService<AccessEvaluator>().AuditDenialAsync(Context, principal, permission ?? "?", denial);
            await Problems.WriteAsync(Context, ErrorCodes.Forbidden, StatusCodes.Status403Forbidden, "An access policy denies this request.");
            return;
        }

        metrics.AuthDenied(DenialReasons.Permission);
        await audit.AppendAsync(new AuditEntry(AuditCodes.AccessDenied, "auth.authorize", principal?.Id ?? "anonymous", AuditPath.Of(Request),
            "denied", Context.Connection.RemoteIpAddress?.ToString(),
            new Dictionary<string, object?> { ["method"] = Request.Method, ["permission"] = permission }));
        if (principal is not null && !principal.Mfa && Context.GetEndpoint()?.Metadata.GetMetadata<StepUpMetadata>() is not null
            && principal.Has(permission ?? Permissions.Admin))
        {
            await Problems.WriteAsync(Context, ErrorCodes.StepUpRequired, StatusCodes.Status403Forbidden,
                "This action needs a session signed in with a second factor: sign in with your password and TOTP code (API keys cannot do it).");
            return;
        }

        await Problems.WriteAsync(Context, ErrorCodes.Forbidden, StatusCodes.Status403Forbidden,
            "Your roles or scopes do not grant the permission this endpoint requires" + (permission is null ? "." : $" ({permission}).") +
            " See docs/access-control.md for which role grants what.");
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "API key authentication failed ({Reason}) for prefix {Prefix}")]
    private static partial void LogAuthenticationFailed(ILogger logger, string reason, string prefix);
}

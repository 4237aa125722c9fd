using System.Security.Claims;
using System.Text.Encodings.Web;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Identity;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Bulwark.Server.Authentication;

/// <summary>
/// The "ApiKey" scheme: <c>Authorization: ApiKey &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c>. Every failed attempt is
/// audited with the key's public prefix only, never the secret. Bearer tokens are not accepted yet and fail closed.
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
            if (!value.StartsWith(SchemeName + " ", StringComparison.OrdinalIgnoreCase))
            {
                // Bearer and other schemes are not accepted (yet): fail rather than silently treating the caller as anonymous.
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
            return AuthenticateResult.NoResult();
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

    private async Task<AuthenticateResult> FailAsync(string reason, string? prefix)
    {
        LogAuthenticationFailed(Logger, reason, prefix ?? "(none)");
        if (!failures.RecordFailure(RateLimiting.AnonymousPartition(Context.Connection.RemoteIpAddress)))
        {
            // Over the limit already (requests that raced past the throttle): the one "throttled" event covers these.
            return AuthenticateResult.Fail(reason);
        }

        await audit.AppendAsync(new AuditEntry(AuditCodes.AuthenticationFailed, "auth.authenticate", "anonymous", prefix is null ? "key" : "key/" + prefix,
            "denied", Context.Connection.RemoteIpAddress?.ToString(),
            new Dictionary<string, object?> { ["reason"] = reason, ["method"] = Request.Method, ["path"] = AuditPath.Of(Request) }));
        return AuthenticateResult.Fail(reason);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = SchemeName; // RFC 9110 §11.6.1
        await Problems.WriteAsync(Context, ErrorCodes.Unauthenticated, StatusCodes.Status401Unauthorized,
            "A valid API key is required: send 'Authorization: ApiKey <key>' or 'X-Api-Key: <key>'.");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var principal = Context.GetPrincipalOrNull();
        var permission = Context.GetEndpoint()?.Metadata.GetMetadata<PermissionMetadata>()?.Permission;
        await audit.AppendAsync(new AuditEntry(AuditCodes.AccessDenied, "auth.authorize", principal?.Id ?? "anonymous", AuditPath.Of(Request),
            "denied", Context.Connection.RemoteIpAddress?.ToString(),
            new Dictionary<string, object?> { ["method"] = Request.Method, ["permission"] = permission }));
        await Problems.WriteAsync(Context, ErrorCodes.Forbidden, StatusCodes.Status403Forbidden,
            "This API key's scopes do not grant the permission this endpoint requires" + (permission is null ? "." : $" ({permission})."));
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "API key authentication failed ({Reason}) for prefix {Prefix}")]
    private static partial void LogAuthenticationFailed(ILogger logger, string reason, string prefix);
}

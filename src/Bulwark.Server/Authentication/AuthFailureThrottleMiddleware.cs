using System.Globalization;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Compliance.Redaction;
using Bulwark.Core.Telemetry;
using Bulwark.Server.Hosting;

namespace Bulwark.Server.Authentication;

/// <summary>
/// Runs just before authentication: a request that carries credentials from a partition over its failed-authentication
/// limit (<see cref="AuthFailureLimiter"/>) gets 429 without a key lookup and without an audit row of its own. Only the
/// first refusal in a window is audited (AuthenticationFailed, reason "throttled"). Requests without credentials pass:
/// they cost no lookup, and the anonymous health probes must keep working.
/// </summary>
internal sealed partial class AuthFailureThrottleMiddleware(RequestDelegate next, AuthFailureLimiter limiter, ILogger<AuthFailureThrottleMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context, AuditLedger audit)
    {
        var headers = context.Request.Headers;
        if (!headers.ContainsKey("Authorization") && !headers.ContainsKey(ApiKeyAuthenticationHandler.ApiKeyHeader))
        {
            await next(context);
            return;
        }

        var partition = RateLimiting.AnonymousPartition(context.Connection.RemoteIpAddress);
        var verdict = limiter.Check(partition);
        if (!verdict.Blocked)
        {
            await next(context);
            return;
        }

        context.RequestServices.GetRequiredService<BulwarkMetrics>().AuthDenied(DenialReasons.Throttled);
        if (verdict.FirstRejection)
        {
            LogThrottled(logger, partition);
            await audit.AppendAsync(new AuditEntry(AuditCodes.AuthenticationFailed, "auth.authenticate", "anonymous", "key", "denied",
                context.ClientAddress(),
                new Dictionary<string, object?>
                {
                    ["reason"] = "throttled",
                    ["partition"] = partition,
                    ["method"] = context.Request.Method,
                    ["path"] = AuditPath.Of(context.Request),
                }));
        }

        // RFC 9110 §10.2.3: Retry-After in whole seconds, at least 1.
        var seconds = Math.Max(1, (int)Math.Ceiling(verdict.RetryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await Problems.WriteAsync(context, ErrorCodes.RateLimited, StatusCodes.Status429TooManyRequests,
            $"Too many failed authentications from this network; retry after {seconds} s.");
    }

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Failed authentications from {Partition} are over the limit; refusing credentials until the window ends")]
    private static partial void LogThrottled(ILogger logger, [PersonalData] string partition);
}

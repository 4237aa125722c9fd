using System.Globalization;
using System.Threading.RateLimiting;
using Bulwark.Client.Contracts;
using Bulwark.Server.Authentication;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Bulwark.Server.Hosting;

/// <summary>
/// A token bucket per API key (per remote address for anonymous callers) chained with a global bucket. Runs after
/// authentication so the partition is the authenticated key, not a header anyone can vary.
/// </summary>
internal static class RateLimiting
{
    public static IServiceCollection AddBulwarkRateLimiting(this IServiceCollection services)
    {
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, limits) =>
        {
            var o = limits.Value;
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests; // the default is 503
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context => RateLimitPartition.GetTokenBucketLimiter(PartitionKey(context), _ =>
                    new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = o.PerKeyBurst,
                        TokensPerPeriod = o.PerKeyTokensPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    })),
                PartitionedRateLimiter.Create<HttpContext, string>(_ => RateLimitPartition.GetTokenBucketLimiter("global", _ =>
                    new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = o.GlobalPermitsPerSecond,
                        TokensPerPeriod = o.GlobalPermitsPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    })));
            limiter.OnRejected = OnRejectedAsync;
        });
        services.AddRateLimiter(_ => { });
        return services;
    }

    private static string PartitionKey(HttpContext context) =>
        context.GetPrincipalOrNull() is { } principal
            ? principal.Id
            : "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    private static async ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        // RFC 9110 §10.2.3: Retry-After in whole seconds, at least 1.
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 1;
        rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await Problems.WriteAsync(rejected.HttpContext, ErrorCodes.RateLimited, StatusCodes.Status429TooManyRequests,
            $"Too many requests; retry after {seconds} s.");
    }
}

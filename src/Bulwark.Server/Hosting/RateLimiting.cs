using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Bulwark.Client.Contracts;
using Bulwark.Core.Telemetry;
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
    /// <summary>
    /// Named policy for uploads that are parsed in memory (datasets, model imports): at most two at a time server-wide,
    /// two more waiting, the rest 429. Each holds several times its size in memory while it is checked, so without
    /// this a single caller within its token bucket could exhaust memory with parallel uploads.
    /// </summary>
    public const string ImportsPolicy = "imports";

    /// <summary>Named policy for feedback: a token bucket per authenticated identity (<see cref="RateLimitOptions.FeedbackPerMinute"/>).</summary>
    public const string FeedbackPolicy = "feedback";

    /// <summary>Named policy for gate dry runs and on-demand evaluations: a token bucket per identity (<see cref="RateLimitOptions.EvaluationsPerMinute"/>).</summary>
    public const string EvaluationsPolicy = "evaluations";

    /// <summary>
    /// Named policy for the audit operations that cost a full ledger walk or a signature (verify, export, checkpoint): a
    /// token bucket per principal of <see cref="RateLimitOptions.AuditOperationsPerMinute"/>. audit:read is a read-only
    /// scope that instance-wide SIEM keys hold, so without this one key could keep the database and the signer busy.
    /// </summary>
    public const string AuditPolicy = "audit";

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
            limiter.AddConcurrencyLimiter(ImportsPolicy, imports =>
            {
                imports.PermitLimit = 2;
                imports.QueueLimit = 2;
                imports.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
            AddPerIdentityPerMinute(limiter, FeedbackPolicy, o.FeedbackPerMinute);
            AddPerIdentityPerMinute(limiter, EvaluationsPolicy, o.EvaluationsPerMinute);
            AddPerIdentityPerMinute(limiter, AuditPolicy, o.AuditOperationsPerMinute);
            limiter.OnRejected = OnRejectedAsync;
        });
        services.AddRateLimiter(_ => { });
        return services;
    }

    /// <summary>A named policy: a token bucket of <paramref name="perMinute"/> per authenticated identity, refilled each minute.</summary>
    private static void AddPerIdentityPerMinute(RateLimiterOptions limiter, string policy, int perMinute) =>
        limiter.AddPolicy(policy, context => RateLimitPartition.GetTokenBucketLimiter(policy + ":" + PartitionKey(context), _ =>
            new TokenBucketRateLimiterOptions
            {
                TokenLimit = perMinute,
                TokensPerPeriod = perMinute,
                ReplenishmentPeriod = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));

    // The identity, not the per-project principal: the limiter runs before the project is resolved, so that requests
    // naming projects the caller is not in are limited too.
    private static string PartitionKey(HttpContext context) =>
        context.GetIdentityOrNull() is { } identity
            ? identity.Id
            : AnonymousPartition(context.Connection.RemoteIpAddress);

    /// <summary>
    /// The partition of an anonymous caller. An IPv6 host usually controls a whole /64 (RFC 7421: SLAAC and privacy
    /// addresses, RFC 8981, rotate the interface identifier freely), so a per-address bucket would let it mint
    /// 2^64 fresh buckets: IPv6 callers share one bucket per /64. IPv4-mapped addresses count as the IPv4 address.
    /// </summary>
    internal static string AnonymousPartition(IPAddress? address)
    {
        if (address is null)
        {
            return "ip:unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return "ip:" + address;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return "ip:" + new IPAddress(bytes) + "/64";
    }

    private static async ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        // RFC 9110 §10.2.3: Retry-After in whole seconds, at least 1.
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 1;
        rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var policy = rejected.HttpContext.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName ?? "global";
        rejected.HttpContext.RequestServices.GetRequiredService<BulwarkMetrics>().RateLimitRejected(policy);
        await Problems.WriteAsync(rejected.HttpContext, ErrorCodes.RateLimited, StatusCodes.Status429TooManyRequests,
            $"Too many requests; retry after {seconds} s.");
    }
}

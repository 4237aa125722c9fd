using System.Net;

namespace Bulwark.Server.Tests.Hosting;

public sealed class RateLimitTests
{
    [Fact]
    public async Task ListKeys_OverPerKeyBucket_Is429WithRetryAfter()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Bulwark:RateLimits:PerKeyTokensPerSecond"] = "1",
            ["Bulwark:RateLimits:PerKeyBurst"] = "2",
        });
        var other = await server.CreateKeyAsync(["keys:manage"]);
        using var client = server.CreateClient(server.AdminKey);
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 20 && limited is null; i++)
        {
            var response = await client.GetAsync("/api/v1/keys");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
        }

        Assert.NotNull(limited);
        await ProblemAssert.IsProblemAsync(limited, HttpStatusCode.TooManyRequests, "request.rate-limited");
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.True(retryAfter >= TimeSpan.FromSeconds(1));
        SecurityHeadersTests.AssertSecurityHeaders(limited);

        // The bucket is per key: another key still gets through.
        using var otherClient = server.CreateClient(other.Key);
        Assert.Equal(HttpStatusCode.OK, (await otherClient.GetAsync("/api/v1/keys")).StatusCode);
    }
}

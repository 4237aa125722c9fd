using System.Net;
using Bulwark.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Telemetry;

/// <summary>One server for the class: its scrape shows its own counts only, whatever other tests do meanwhile.</summary>
public sealed class MetricsServerFixture : IAsyncLifetime
{
    internal TestServer Server { get; private set; } = null!;
    internal string ScraperKey { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Server = await TestServer.StartAsync();
        ScraperKey = await InstanceKeys.CreateAsync(Server.App, ["metrics:read"]);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class MetricsEndpointTests(MetricsServerFixture fixture) : IClassFixture<MetricsServerFixture>
{
    private TestServer Server => fixture.Server;

    private async Task<string> ScrapeAsync()
    {
        using var scraper = Server.CreateClient(fixture.ScraperKey);
        var response = await scraper.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task Scrape_WithMetricsRead_IsPrometheusTextWithBulwarkAndHttpSeries()
    {
        using (var client = Server.CreateClient())
        {
            await client.GetAsync("/v2/health/live");
        }

        using var scraper = Server.CreateClient(fixture.ScraperKey);
        var response = await scraper.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE bulwark_incidents_open gauge", text, StringComparison.Ordinal);
        Assert.Equal(0, PrometheusText.Sum(text, "bulwark_incidents_open"));
        Assert.True(PrometheusText.Sum(text, "http_server_request_duration_seconds_count", "http_route=\"/v2/health/live\"") >= 1, text);
        Assert.Contains("target_info{service_name=\"bulwark\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_Anonymous_Is401AndCountedAsUnauthenticated()
    {
        var before = PrometheusText.Sum(await ScrapeAsync(), "bulwark_auth_denials_total", "reason=\"unauthenticated\"");
        using var anonymous = Server.CreateClient();

        var response = await anonymous.GetAsync("/metrics");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "auth.unauthenticated");
        Assert.Equal(before + 1, PrometheusText.Sum(await ScrapeAsync(), "bulwark_auth_denials_total", "reason=\"unauthenticated\""));
    }

    [Fact]
    public async Task Scrape_InstanceKeyWithoutMetricsRead_Is403()
    {
        using var client = Server.CreateClient(await InstanceKeys.CreateAsync(Server.App, ["models:read", "audit:read"]));

        var response = await client.GetAsync("/metrics");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "auth.forbidden");
        Assert.DoesNotContain("bulwark_", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_ProjectKeyWithMetricsRead_Is403()
    {
        // The series cover every project; a key of one project, even one holding metrics:read there, sees none of them.
        var projectKey = await Server.CreateKeyAsync(["metrics:read"]);
        using var client = Server.CreateClient(projectKey.Key);

        var response = await client.GetAsync("/metrics");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "auth.forbidden");
    }

    [Fact]
    public async Task Scrape_WrongKeyOrOtherMethod_IsRefused()
    {
        using var forged = Server.CreateClient(fixture.ScraperKey[..^4] + "AAAA");
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/metrics")).StatusCode);

        using var scraper = Server.CreateClient(fixture.ScraperKey);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await scraper.PostAsync("/metrics", null)).StatusCode);
    }

    [Fact]
    public async Task Denial_IsCountedByReasonInTheNextScrape()
    {
        var before = await ScrapeAsync();
        using var reader = Server.CreateClient((await Server.CreateKeyAsync(["models:read"])).Key);

        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("/api/v1/keys")).StatusCode);
        using var stranger = Server.CreateClient("bwk_0123456789ab_not-a-real-secret");
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("/api/v1/keys")).StatusCode);

        var after = await ScrapeAsync();
        Assert.Equal(PrometheusText.Sum(before, "bulwark_auth_denials_total", "reason=\"permission\"") + 1,
            PrometheusText.Sum(after, "bulwark_auth_denials_total", "reason=\"permission\""));
        Assert.Equal(PrometheusText.Sum(before, "bulwark_auth_denials_total", "reason=\"authentication\"") + 1,
            PrometheusText.Sum(after, "bulwark_auth_denials_total", "reason=\"authentication\""));
    }

    [Fact]
    public async Task Scrape_AfterFailedAndSuccessfulCalls_NamesNoKeyPrincipalOrClientAddress()
    {
        var created = await Server.CreateKeyAsync(["models:read"]);
        using (var reader = Server.CreateClient(created.Key))
        {
            await reader.GetAsync("/api/v1/keys");
            await reader.GetAsync("/api/v1/models");
        }

        using (var stranger = Server.CreateClient("bwk_feedfacecafe_guessed-secret"))
        {
            await stranger.GetAsync("/api/v1/models");
        }

        var text = await ScrapeAsync();

        Assert.DoesNotContain(created.Info.Prefix, text, StringComparison.Ordinal);
        Assert.DoesNotContain("feedfacecafe", text, StringComparison.Ordinal);
        Assert.DoesNotContain("guessed-secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.ScraperKey[..16], text, StringComparison.Ordinal);
        foreach (var line in text.Split('\n').Where(l => !l.StartsWith("kestrel_", StringComparison.Ordinal)))
        {
            // The only address in the exposition is the server's own listener (Kestrel's server.address); never the client's.
            Assert.DoesNotContain("client_address", line, StringComparison.Ordinal);
            Assert.DoesNotContain("network_peer", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Scrape_AnotherServerInTheSameProcess_DoesNotLeakIntoThisOne()
    {
        var before = PrometheusText.Sum(await ScrapeAsync(), "bulwark_ratelimit_rejections_total");
        await using var other = await TestServer.StartAsync();
        var otherMetrics = other.App.Services.GetRequiredService<BulwarkMetrics>();
        otherMetrics.RateLimitRejected("global");
        Assert.NotSame(Server.App.Services.GetRequiredService<BulwarkMetrics>().Meter, otherMetrics.Meter);

        var otherKey = await InstanceKeys.CreateAsync(other.App, ["metrics:read"]);
        using var otherScraper = other.CreateClient(otherKey);
        var otherText = await (await otherScraper.GetAsync("/metrics")).Content.ReadAsStringAsync();

        Assert.Equal(1, PrometheusText.Sum(otherText, "bulwark_ratelimit_rejections_total"));
        Assert.Equal(before, PrometheusText.Sum(await ScrapeAsync(), "bulwark_ratelimit_rejections_total"));
    }
}

using Bulwark.Core.Identity;
using Bulwark.Server.Authentication;

namespace Bulwark.Server.Telemetry;

/// <summary>
/// The Prometheus scrape (text exposition format 0.0.4, or OpenMetrics when asked) on the main HTTPS listener.
/// Instance-wide <c>metrics:read</c> only: the series name every project's models and the instance's error and denial
/// rates, which no single project's members should see.
/// </summary>
internal static class TelemetryEndpoints
{
    public const string ScrapePath = "/metrics";

    public static IEndpointRouteBuilder MapTelemetry(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint(ScrapePath)
            .WithName("ScrapeMetrics")
            .WithTags("Telemetry")
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get]))
            .RequirePermission(Permissions.MetricsRead)
            .InstanceWide();
        return app;
    }
}

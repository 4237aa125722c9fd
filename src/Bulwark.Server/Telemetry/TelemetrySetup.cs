using System.Diagnostics.Metrics;
using Bulwark.Core.Telemetry;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Bulwark.Server.Telemetry;

/// <summary>
/// OpenTelemetry for the server: Bulwark's meter, ASP.NET Core and runtime metrics behind the <c>/metrics</c> scrape,
/// traces and OTLP push only when a collector is configured, and JSON log lines that carry the request's trace id.
/// </summary>
internal static class TelemetrySetup
{
    public const string ServiceName = "bulwark";

    public static WebApplicationBuilder AddBulwarkTelemetry(this WebApplicationBuilder builder)
    {
        // Read now, not from IOptions: whether exporters exist is decided while the providers are built.
        var otlp = (builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions()).ResolveOtlpEndpoint();

        // Every log line written during a request names its W3C Trace Context trace and span ids (the traceparent header),
        // so a line in the log, a span in the collector and a problem's traceId lead to each other. The host tracks the
        // ids by default; the JSON console prints them only with scopes on. Scopes also carry the hosting scope
        // (request id and path; the path is written as its pseudonym, see BulwarkLogging).
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);

        // The host's per-request lines print full URLs, query strings included, where a careless caller may have put a
        // card number or other personal data. Requests are in the audit ledger (path only) and in traces already.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Services.Configure<JsonConsoleFormatterOptions>(o =>
        {
            o.IncludeScopes = true;

            // Without a format the JSON console writes no timestamp at all; ISO 8601 in UTC (the host sets UseUtcTimestamp).
            o.TimestampFormat ??= "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
        });

        var version = typeof(TelemetrySetup).Assembly.GetName().Version?.ToString();
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceVersion: version))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(BulwarkMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()

                    // No response cache: the endpoint is authenticated and rate limited per key already, and a cached
                    // scrape would hide the counts of the last few hundred milliseconds from whoever scrapes next.
                    .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                // Deferred: the view needs this host's meter factory, which exists only once the service provider does.
                ((IDeferredMeterProviderBuilder)metrics).Configure((services, b) => b.AddView(OwnMetersOnly(services.GetRequiredService<IMeterFactory>())));
                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(o => o.Endpoint = otlp);
                }
            });
        if (otlp is not null)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(BulwarkTracing.SourceName)
                .AddAspNetCoreInstrumentation()
                .AddOtlpExporter(o => o.Endpoint = otlp));
        }

        return builder;
    }

    /// <summary>
    /// OpenTelemetry subscribes to meters by name, process-wide: a second host in the same process (the tests run
    /// several) would otherwise show up in this host's scrape. Meters made by another host's factory are dropped;
    /// process-wide ones (runtime, no factory) are kept.
    /// </summary>
    internal static Func<Instrument, MetricStreamConfiguration?> OwnMetersOnly(IMeterFactory own) =>
        instrument => instrument.Meter.Scope is null || ReferenceEquals(instrument.Meter.Scope, own) ? null : MetricStreamConfiguration.Drop;
}

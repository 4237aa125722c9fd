using System.Net;
using Bulwark.Core.Crypto;

namespace Bulwark.Server.Telemetry;

/// <summary>Where traces and metrics are pushed, if anywhere. Bound from <c>Bulwark:Telemetry</c>; the Prometheus scrape needs no setting.</summary>
internal sealed class TelemetryOptions
{
    public const string Section = "Bulwark:Telemetry";

    /// <summary>
    /// An OpenTelemetry collector's OTLP/gRPC endpoint (e.g. <c>https://collector:4317</c>). Unset: nothing is exported,
    /// and no spans are recorded at all.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>
    /// The endpoint as a URI, null when unset. Spans carry paths, model names and project ids: they travel over TLS,
    /// or in plain HTTP only to a collector on this host (a sidecar). Anything else stops startup.
    /// </summary>
    /// <exception cref="SecurityConfigurationException">The endpoint is not an absolute https URI or a loopback http one.</exception>
    public Uri? ResolveOtlpEndpoint()
    {
        if (string.IsNullOrWhiteSpace(OtlpEndpoint))
        {
            return null;
        }

        if (!Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
            || !string.IsNullOrEmpty(uri.UserInfo) || uri.Scheme == "http" && !IsLoopback(uri))
        {
            throw new SecurityConfigurationException(
                $"Bulwark cannot start: {Section}:OtlpEndpoint must be an https URI (e.g. https://collector:4317), or http to a loopback " +
                "address for a collector on this host; telemetry names paths, models and projects and must not cross the network in clear text.");
        }

        return uri;
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
}

namespace Bulwark.Core.Incidents.Alerts;

/// <summary>Where security alerts are delivered and how. Bound from <c>Bulwark:Alerts</c> and validated at startup.</summary>
internal sealed class AlertOptions
{
    public const string Section = "Bulwark:Alerts";

    /// <summary>Webhooks every alert is posted to. Empty: alerts are only logged.</summary>
    public List<WebhookTarget> Webhooks { get; set; } = [];

    /// <summary>Host names (or IP literals) webhook URLs may use. A webhook whose host is not listed stops startup.</summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>
    /// CIDRs a webhook may reach even though they are private, loopback or otherwise non-public (an on-premises SIEM,
    /// e.g. <c>10.20.0.0/16</c>). Empty by default: only public addresses are reachable.
    /// </summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>Whole-request budget: connect, TLS, send and read the response.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest alert body posted; a larger alert is refused before any connection is made.</summary>
    public int MaxPayloadBytes { get; set; } = 64 * 1024;

    /// <summary>At most this much of a response body is read; the rest is never downloaded.</summary>
    public int MaxResponseBytes { get; set; } = 16 * 1024;

    /// <summary>Retries after a failed attempt that may succeed later (timeouts, connection errors, 408, 429, 5xx).</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Delay before the first retry; doubled for each further one, with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Alerts waiting for webhook delivery; when full the oldest is dropped (it was already logged).</summary>
    public int QueueCapacity { get; set; } = 1024;
}

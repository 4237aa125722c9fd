using System.Buffers;
using Bulwark.Core.Compliance.Redaction;
using Microsoft.Extensions.Logging;

namespace Bulwark.Core.Incidents.Alerts;

/// <summary>
/// Alert log events, ids 6150-6159. Values that come from detection (rule, title, ids) may be attacker-influenced, so
/// callers pass them through <see cref="OneLine"/> first (OWASP Logging Cheat Sheet, CWE-117 log injection). Webhook
/// URLs and secrets are never logged, only the webhook's display name.
/// </summary>
internal static partial class AlertsLog
{
    // C0 and C1 controls, line and paragraph separators, and bidirectional overrides (which reorder what a reader sees).
    private static readonly SearchValues<char> Breaking = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7f, 0x21)).Concat(Enumerable.Range(0x202a, 5)).Concat(Enumerable.Range(0x2066, 4)).Select(c => (char)c),
            '\u2028', '\u2029']);

    [LoggerMessage(EventId = 6150, EventName = "SecurityAlert", Level = LogLevel.Warning,
        Message = "Security alert {AlertId}: rule {Rule}, severity {Severity}, incident {Incident}: {Title}")]
    public static partial void SecurityAlert(ILogger logger, string alertId, string rule, string severity, string incident, [PersonalData] string title);

    [LoggerMessage(EventId = 6151, EventName = "AlertDelivered", Level = LogLevel.Information,
        Message = "Alert {AlertId} delivered to webhook {Webhook} (HTTP {StatusCode}, attempt {Attempt})")]
    public static partial void AlertDelivered(ILogger logger, string alertId, string webhook, int? statusCode, int attempt);

    [LoggerMessage(EventId = 6152, EventName = "AlertDeliveryRetrying", Level = LogLevel.Warning,
        Message = "Alert {AlertId} to webhook {Webhook}: attempt {Attempt} failed ({Status}, HTTP {StatusCode}, {Detail}); retrying in {Delay}")]
    public static partial void AlertDeliveryRetrying(
        ILogger logger, string alertId, string webhook, int attempt, WebhookDeliveryStatus status, int? statusCode, string? detail, TimeSpan delay);

    [LoggerMessage(EventId = 6153, EventName = "AlertDeliveryFailed", Level = LogLevel.Error,
        Message = "Alert {AlertId} could not be delivered to webhook {Webhook} after {Attempts} attempt(s): {Status}, HTTP {StatusCode}, {Detail}")]
    public static partial void AlertDeliveryFailed(
        ILogger logger, string alertId, string webhook, int attempts, WebhookDeliveryStatus status, int? statusCode, string? detail);

    [LoggerMessage(EventId = 6154, EventName = "AlertDropped", Level = LogLevel.Warning,
        Message = "Alert queue full: alert {AlertId} (rule {Rule}) dropped before webhook delivery; {Dropped} dropped since start")]
    public static partial void AlertDropped(ILogger logger, string alertId, string rule, long dropped);

    [LoggerMessage(EventId = 6155, EventName = "AlertDeliveryCrashed", Level = LogLevel.Error,
        Message = "Delivering alert {AlertId} to webhook {Webhook} failed unexpectedly")]
    public static partial void AlertDeliveryCrashed(ILogger logger, Exception exception, string alertId, string webhook);

    /// <summary>The value with control characters, line separators and bidirectional overrides replaced by spaces, so it cannot forge log lines.</summary>
    public static string OneLine(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "-";
        }

        return value.AsSpan().IndexOfAny(Breaking) < 0
            ? value
            : string.Create(value.Length, value, static (span, source) =>
            {
                for (var i = 0; i < source.Length; i++)
                {
                    span[i] = Breaking.Contains(source[i]) ? ' ' : source[i];
                }
            });
    }
}

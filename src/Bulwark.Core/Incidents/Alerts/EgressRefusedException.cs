namespace Bulwark.Core.Incidents.Alerts;

/// <summary>
/// Thrown from the connect callback so the HTTP stack stops before any socket opens; <see cref="WebhookSender"/> turns
/// it back into a <see cref="WebhookResult"/>. The message is safe to log.
/// </summary>
internal sealed class EgressRefusedException(WebhookDeliveryStatus status, string message) : Exception(message)
{
    public WebhookDeliveryStatus Status { get; } = status;
}

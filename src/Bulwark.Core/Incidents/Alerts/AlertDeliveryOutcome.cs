namespace Bulwark.Core.Incidents.Alerts;

/// <summary>How delivering one alert to one webhook ended, after any retries.</summary>
/// <param name="Webhook">The webhook's <see cref="WebhookTarget.DisplayName"/>, never its URL.</param>
/// <param name="Result">The last attempt's result.</param>
/// <param name="Attempts">Requests tried, retries included.</param>
internal sealed record AlertDeliveryOutcome(Alert Alert, string Webhook, WebhookResult Result, int Attempts)
{
    public bool Delivered => Result.Status == WebhookDeliveryStatus.Delivered;
}

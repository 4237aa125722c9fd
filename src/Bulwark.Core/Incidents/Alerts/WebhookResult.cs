namespace Bulwark.Core.Incidents.Alerts;

/// <summary>The outcome of one request to a webhook.</summary>
/// <param name="Detail">Safe to log: never the URL, a header or the response body.</param>
/// <param name="ResponseBytesRead">Response body bytes read, at most <see cref="AlertOptions.MaxResponseBytes"/>.</param>
/// <param name="ResponseTruncated">The receiver sent more than that; the rest was not read.</param>
internal sealed record WebhookResult(
    WebhookDeliveryStatus Status,
    int? StatusCode = null,
    string? Detail = null,
    int ResponseBytesRead = 0,
    bool ResponseTruncated = false)
{
    /// <summary>Worth another attempt later; refusals, redirects and most 4xx answers will not change by retrying.</summary>
    public bool IsRetryable => Status switch
    {
        WebhookDeliveryStatus.ResolutionFailed or WebhookDeliveryStatus.ConnectionFailed or WebhookDeliveryStatus.TlsFailed
            or WebhookDeliveryStatus.Timeout => true,
        WebhookDeliveryStatus.HttpError => StatusCode is 408 or 429 or >= 500,
        _ => false,
    };
}

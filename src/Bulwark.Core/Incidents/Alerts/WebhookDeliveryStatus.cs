namespace Bulwark.Core.Incidents.Alerts;

/// <summary>How one attempt to post an alert to a webhook ended.</summary>
internal enum WebhookDeliveryStatus
{
    /// <summary>The receiver answered 2xx.</summary>
    Delivered,

    /// <summary>The URL or secret is not acceptable (not https, user info, host not allowed, malformed secret).</summary>
    TargetRefused,

    /// <summary>The alert serialises to more than <see cref="AlertOptions.MaxPayloadBytes"/>; nothing was sent.</summary>
    PayloadTooLarge,

    /// <summary>The host resolved to an address webhooks may not reach; no connection was made.</summary>
    AddressRefused,

    /// <summary>The host name did not resolve.</summary>
    ResolutionFailed,

    /// <summary>TCP connection failed or was cut.</summary>
    ConnectionFailed,

    /// <summary>The TLS handshake failed, e.g. the certificate is not trusted or not for this host.</summary>
    TlsFailed,

    /// <summary>The receiver answered 3xx. Redirects are never followed: they could point anywhere.</summary>
    Redirected,

    /// <summary>The receiver answered 1xx, 4xx or 5xx.</summary>
    HttpError,

    /// <summary>The whole request did not complete within <see cref="AlertOptions.Timeout"/>.</summary>
    Timeout,
}

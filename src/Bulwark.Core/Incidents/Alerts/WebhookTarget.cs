namespace Bulwark.Core.Incidents.Alerts;

/// <summary>One webhook alerts are posted to. Deliberately not a record: a generated <c>ToString</c> would print the secret.</summary>
internal sealed class WebhookTarget
{
    /// <summary>An <c>https://</c> URL whose host is on <see cref="AlertOptions.AllowedHosts"/>. Treated as a secret (chat
    /// webhooks carry a token in the path): never logged, only <see cref="DisplayName"/> is.</summary>
    public string Url { get; set; } = "";

    /// <summary>Shown in logs instead of the URL; the host is used when empty.</summary>
    public string? Name { get; set; }

    /// <summary>
    /// Optional Standard Webhooks signing secret, <c>whsec_</c> followed by base64 of 24 to 64 random bytes. Supply it
    /// through an environment variable or a secret store, never in a committed settings file.
    /// </summary>
    public string? Secret { get; set; }

    /// <summary>What logs and delivery outcomes call this webhook: the configured name, else the URL's host.</summary>
    public string DisplayName =>
        !string.IsNullOrWhiteSpace(Name) ? Name
        : Uri.TryCreate(Url, UriKind.Absolute, out var uri) ? uri.IdnHost
        : "(invalid url)";
}

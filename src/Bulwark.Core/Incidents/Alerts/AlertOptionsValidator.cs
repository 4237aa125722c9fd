using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Incidents.Alerts;

/// <summary>
/// Fails closed (DESIGN.md invariant 10): a webhook that could leak alerts or be turned against the internal network
/// stops startup with a message that says what to fix. Messages never repeat a webhook URL (chat webhooks carry a token
/// in the path) or a secret.
/// </summary>
internal sealed class AlertOptionsValidator : IValidateOptions<AlertOptions>
{
    private const string S = AlertOptions.Section;

    // Well-known cloud metadata endpoints (AWS, GCP, Azure and others on IPv4; AWS on IPv6): no webhook may reach them.
    private static readonly IPAddress[] MetadataAddresses = [IPAddress.Parse("169.254.169.254"), IPAddress.Parse("fd00:ec2::254")];

    public ValidateOptionsResult Validate(string? name, AlertOptions options)
    {
        var errors = new List<string>();
        ValidateAllowedHosts(options, errors);
        ValidateAllowedNetworks(options, errors);
        for (var i = 0; i < options.Webhooks.Count; i++)
        {
            ValidateWebhook(i, options.Webhooks[i], options.AllowedHosts, errors);
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(2))
        {
            errors.Add($"{S}:Timeout must be more than 0 and at most 00:02:00 (an alert must not wait on a stalled receiver); e.g. 00:00:05.");
        }

        if (options.MaxPayloadBytes is < 1024 or > 10 * 1024 * 1024)
        {
            errors.Add($"{S}:MaxPayloadBytes must be between 1024 and 10485760; e.g. 65536.");
        }

        if (options.MaxResponseBytes is < 0 or > 1024 * 1024)
        {
            errors.Add($"{S}:MaxResponseBytes must be between 0 and 1048576; e.g. 16384.");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            errors.Add($"{S}:MaxRetries must be between 0 and 10; e.g. 3.");
        }

        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelay > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{S}:RetryDelay must be between 00:00:00 and 00:01:00; e.g. 00:00:01.");
        }

        if (options.QueueCapacity is < 1 or > 100_000)
        {
            errors.Add($"{S}:QueueCapacity must be between 1 and 100000; e.g. 1024.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>
    /// Why <paramref name="url"/> may not be used as a webhook, or <see langword="null"/>. Shared with the sender, which
    /// checks again before every request.
    /// </summary>
    public static string? UrlProblem(string? url, IReadOnlyList<string> allowedHosts, out Uri? uri)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out uri))
        {
            return "is not an absolute URL; use e.g. https://siem.example.com/hooks/bulwark";
        }

        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            return $"uses '{uri.Scheme}'; webhooks must use https:// (alerts must not cross the network in clear)";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "contains user information (user:password@); remove it and configure a signing Secret instead";
        }

        if (!IsHostAllowed(uri, allowedHosts))
        {
            return $"has host '{uri.IdnHost}', which is not on {S}:AllowedHosts; add it there if this receiver is intended";
        }

        return null;
    }

    private static bool IsHostAllowed(Uri uri, IReadOnlyList<string> allowedHosts)
    {
        var host = uri.IdnHost;
        IPAddress? hostAddress = null;
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && !IPAddress.TryParse(host, out hostAddress))
        {
            return false;
        }

        foreach (var entry in allowedHosts)
        {
            var trimmed = entry.Trim().Trim('[', ']');
            if (hostAddress is not null
                ? IPAddress.TryParse(trimmed, out var allowed) && allowed.Equals(hostAddress)
                : string.Equals(trimmed, host, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static void ValidateAllowedHosts(AlertOptions options, List<string> errors)
    {
        for (var i = 0; i < options.AllowedHosts.Count; i++)
        {
            var host = options.AllowedHosts[i]?.Trim() ?? "";
            var ip = IPAddress.TryParse(host.Trim('[', ']'), out _);
            if (!ip && (host.Length == 0 || Uri.CheckHostName(host) != UriHostNameType.Dns || !host.All(char.IsAscii)))
            {
                errors.Add($"{S}:AllowedHosts:{i} must be one exact host name or IP address, without scheme, port, path or wildcard; "
                    + "internationalised names in their xn-- form (e.g. 'siem.example.com').");
            }
        }
    }

    private static void ValidateAllowedNetworks(AlertOptions options, List<string> errors)
    {
        for (var i = 0; i < options.AllowedNetworks.Count; i++)
        {
            var text = options.AllowedNetworks[i]?.Trim() ?? "";
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || !IPNetwork.TryParse(text, out var network) || !IPAddress.TryParse(text.AsSpan(0, slash), out var start))
            {
                errors.Add($"{S}:AllowedNetworks:{i} '{text}' is not a CIDR; use e.g. 10.20.0.0/16, or 10.20.0.5/32 for one host.");
                continue;
            }

            if (!start.Equals(network.BaseAddress))
            {
                errors.Add($"{S}:AllowedNetworks:{i} '{text}' has bits set beyond its prefix; write {network} for the network, or {start}/{(start.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)} for one host.");
            }
            else if (network.PrefixLength < (network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 8 : 32))
            {
                errors.Add($"{S}:AllowedNetworks:{i} '{text}' is too broad (it would switch the private-address protection off); list the receiver's own network, at most /8 for IPv4 or /32 for IPv6.");
            }
            else if (MetadataAddresses.Any(network.Contains))
            {
                errors.Add($"{S}:AllowedNetworks:{i} '{text}' contains a cloud metadata address (169.254.169.254 or fd00:ec2::254), which no webhook may reach; list a narrower network.");
            }
        }
    }

    private static void ValidateWebhook(int index, WebhookTarget webhook, IReadOnlyList<string> allowedHosts, List<string> errors)
    {
        var key = $"{S}:Webhooks:{index}";
        if (webhook is null)
        {
            errors.Add($"{key} is empty; give it a Url.");
            return;
        }

        if (UrlProblem(webhook.Url, allowedHosts, out _) is { } problem)
        {
            errors.Add($"{key}:Url {problem}.");
        }

        if (webhook.Name is { } name && (name.Length > 64 || name.Any(char.IsControl)))
        {
            errors.Add($"{key}:Name must be at most 64 printable characters.");
        }

        if (webhook.Secret is not null && !WebhookSignature.TryParseSecret(webhook.Secret, out _))
        {
            errors.Add($"{key}:Secret must be '{WebhookSignature.SecretPrefix}' followed by base64 of {WebhookSignature.MinSecretBytes} to "
                + $"{WebhookSignature.MaxSecretBytes} random bytes (Standard Webhooks); generate one with: echo {WebhookSignature.SecretPrefix}$(openssl rand -base64 32)");
        }
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Core.Incidents.Alerts;

/// <summary>
/// Standard Webhooks signing (standardwebhooks.com, "Signature scheme"): HMAC-SHA256 over <c>id.timestamp.body</c>,
/// sent as <c>webhook-signature: v1,&lt;base64&gt;</c>, so receivers can use any Standard Webhooks verifier.
/// </summary>
internal static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";

    // The specification asks for secrets of 24 to 64 bytes.
    public const int MinSecretBytes = 24;
    public const int MaxSecretBytes = 64;

    public static bool TryParseSecret(string? secret, out byte[] key)
    {
        key = [];
        if (secret is null || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var encoded = secret.AsSpan(SecretPrefix.Length);
        var buffer = new byte[encoded.Length];
        if (!Convert.TryFromBase64Chars(encoded, buffer, out var written) || written is < MinSecretBytes or > MaxSecretBytes)
        {
            return false;
        }

        key = buffer[..written];
        return true;
    }

    /// <summary>The header value: <c>v1,</c> and the base64 HMAC-SHA256 of <c>{id}.{timestamp}.{body}</c>.</summary>
    public static string Sign(ReadOnlySpan<byte> key, string id, string timestamp, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.UTF8.GetBytes(id + "." + timestamp + "."));
        hmac.AppendData(body);
        return "v1," + Convert.ToBase64String(hmac.GetHashAndReset());
    }
}

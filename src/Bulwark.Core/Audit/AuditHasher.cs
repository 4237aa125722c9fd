using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Bulwark.Core.Audit;

/// <summary>The canonical byte form of an audit event and its chain hash. Changing this breaks every existing ledger.</summary>
internal static class AuditHasher
{
    /// <summary>The previous-hash of event 1: 64 zeros.</summary>
    public static readonly string GenesisHash = new('0', 64);

    public static string ComputeHash(AuditEvent e)
    {
        var buffer = new MemoryStream(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("seq", e.Sequence);
            writer.WriteNumber("ts", e.Timestamp.ToUnixTimeMilliseconds());
            writer.WriteNumber("code", e.Code);
            writer.WriteString("action", e.Action);
            writer.WriteString("principal", e.Principal);
            writer.WriteString("resource", e.Resource);

            // Written only when set, so events recorded before projects existed keep their hashes.
            if (e.ProjectId is not null)
            {
                writer.WriteString("project", e.ProjectId);
            }

            writer.WriteString("outcome", e.Outcome);
            writer.WriteString("client", e.ClientAddress);

            // Like the project: written only when set, so events recorded before these fields existed keep their hashes.
            if (e.AuthMethod is not null)
            {
                writer.WriteString("auth", e.AuthMethod);
            }

            if (e.UserAgent is not null)
            {
                writer.WriteString("agent", e.UserAgent);
            }

            writer.WriteString("details", e.Details);
            writer.WriteString("prev", e.PreviousHash);
            writer.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
    }

    public static string CanonicalDetails(IReadOnlyDictionary<string, object?>? details)
    {
        if (details is null || details.Count == 0)
        {
            return "{}";
        }

        var sorted = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in details)
        {
            sorted[key] = value;
        }

        return JsonSerializer.Serialize(sorted);
    }

    /// <summary>Truncates to whole milliseconds: the precision the database keeps and the hash covers.</summary>
    public static DateTimeOffset Normalize(DateTimeOffset time) =>
        DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}

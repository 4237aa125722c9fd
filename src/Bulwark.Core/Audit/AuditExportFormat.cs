using System.Text.Json;

namespace Bulwark.Core.Audit;

/// <summary>
/// The JSON Lines export: a header, the public audit keys, the signed checkpoints, the events in sequence order, and a
/// final line holding the signed export statement (first and last sequence, the previous-hash of the first event, the
/// hash of the last). Everything needed to verify the slice offline with the audit public key and nothing else.
/// </summary>
/// <remarks>
/// Event lines carry every hashed field verbatim (details as the canonical JSON string), so the verifier recomputes
/// exactly the hash the ledger computed. The statement's last hash commits to every event before it through the chain,
/// so editing, deleting, reordering or cutting off events all fail.
/// </remarks>
internal static class AuditExportFormat
{
    public const string HeaderType = "bulwark.audit.export/v1";
    public const string StatementPayloadType = "application/vnd.bulwark.audit-export+json";
    public const string StatementType = "bulwark.audit.export-statement/v1";

    public static void WriteEvent(Utf8JsonWriter w, AuditEvent e)
    {
        w.WriteStartObject();
        w.WriteString("type", "event");
        w.WriteNumber("sequence", e.Sequence);
        w.WriteNumber("timestamp", e.Timestamp.ToUnixTimeMilliseconds());
        w.WriteNumber("code", e.Code);
        w.WriteString("action", e.Action);
        w.WriteString("principal", e.Principal);
        w.WriteString("resource", e.Resource);
        w.WriteString("project", e.ProjectId);
        w.WriteString("outcome", e.Outcome);
        w.WriteString("client", e.ClientAddress);
        if (e.AuthMethod is not null)
        {
            w.WriteString("auth", e.AuthMethod);
        }

        if (e.UserAgent is not null)
        {
            w.WriteString("agent", e.UserAgent);
        }

        w.WriteString("details", e.Details);
        w.WriteString("previousHash", e.PreviousHash);
        w.WriteString("hash", e.Hash);
        w.WriteEndObject();
    }

    public static AuditEvent ReadEvent(JsonElement line) => new()
    {
        Sequence = line.GetProperty("sequence").GetInt64(),
        Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(line.GetProperty("timestamp").GetInt64()),
        Code = line.GetProperty("code").GetInt32(),
        Action = RequiredString(line, "action"),
        Principal = RequiredString(line, "principal"),
        Resource = RequiredString(line, "resource"),
        ProjectId = line.GetProperty("project").GetString(),
        Outcome = RequiredString(line, "outcome"),
        ClientAddress = line.GetProperty("client").GetString(),
        AuthMethod = line.TryGetProperty("auth", out var auth) ? auth.GetString() : null,
        UserAgent = line.TryGetProperty("agent", out var agent) ? agent.GetString() : null,
        Details = RequiredString(line, "details"),
        PreviousHash = RequiredString(line, "previousHash"),
        Hash = RequiredString(line, "hash"),
    };

    private static string RequiredString(JsonElement line, string name) =>
        line.GetProperty(name).GetString() ?? throw new InvalidOperationException($"'{name}' is null.");

    public static byte[] Statement(long from, long to, long firstSequence, string firstPreviousHash, long lastSequence, string lastHash, long events, DateTimeOffset exportedAt)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", StatementType);
            w.WriteNumber("from", from);
            w.WriteNumber("to", to);
            w.WriteNumber("firstSequence", firstSequence);
            w.WriteString("firstPreviousHash", firstPreviousHash);
            w.WriteNumber("lastSequence", lastSequence);
            w.WriteString("lastHash", lastHash);
            w.WriteNumber("events", events);
            w.WriteNumber("exportedAt", exportedAt.ToUnixTimeMilliseconds());
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }
}

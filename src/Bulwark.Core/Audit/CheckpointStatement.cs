using System.Text.Json;

namespace Bulwark.Core.Audit;

/// <summary>
/// The signed body of a checkpoint: <c>{"type":"bulwark.audit.checkpoint/v1","sequence":N,"head":"…","signedAt":ms}</c>,
/// in a DSSE envelope of payload type <see cref="PayloadType"/> so it cannot be confused with any other signed document.
/// </summary>
internal sealed record CheckpointStatement(long Sequence, string Head, DateTimeOffset SignedAt)
{
    public const string PayloadType = "application/vnd.bulwark.audit-checkpoint+json";
    private const string TypeName = "bulwark.audit.checkpoint/v1";

    public byte[] ToBytes()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", TypeName);
            writer.WriteNumber("sequence", Sequence);
            writer.WriteString("head", Head);
            writer.WriteNumber("signedAt", SignedAt.ToUnixTimeMilliseconds());
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static bool TryParse(ReadOnlySpan<byte> json, out CheckpointStatement statement)
    {
        statement = null!;
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 4, AllowDuplicateProperties = false });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.GetProperty("type").GetString() != TypeName)
            {
                return false;
            }

            var head = root.GetProperty("head").GetString() ?? "";
            if (head.Length != 64 || !head.All(char.IsAsciiHexDigitLower))
            {
                return false;
            }

            statement = new CheckpointStatement(root.GetProperty("sequence").GetInt64(), head,
                DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("signedAt").GetInt64()));
            return statement.Sequence > 0;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentOutOfRangeException)
        {
            return false;
        }
    }
}

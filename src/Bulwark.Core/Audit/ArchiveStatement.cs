using System.Text.Json;

namespace Bulwark.Core.Audit;

/// <summary>
/// The signed record of one archive: the range it holds, the link to what came before it (<see cref="FirstPreviousHash"/>),
/// its last hash, and the SHA-256 of the archive file. Its own DSSE payload type (<see cref="PayloadType"/>), signed only
/// by <see cref="AuditArchiver"/> after the file verified, so an export statement (which any audit:read caller can have
/// signed on demand) can never stand in for an archive and claim that deleted events were archived.
/// </summary>
/// <remarks>
/// The statement lives in the archive row, not in the file (the file's hash cannot be inside the file); the file itself
/// stays an ordinary export and verifies offline like one.
/// </remarks>
internal sealed record ArchiveStatement(long FromSequence, long ToSequence, string FirstPreviousHash, string LastHash, long Events, string FileName,
    string FileSha256, DateTimeOffset ArchivedAt)
{
    public const string PayloadType = "application/vnd.bulwark.audit-archive+json";
    private const string TypeName = "bulwark.audit.archive/v1";

    public byte[] ToBytes()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", TypeName);
            writer.WriteNumber("fromSequence", FromSequence);
            writer.WriteNumber("toSequence", ToSequence);
            writer.WriteString("firstPreviousHash", FirstPreviousHash);
            writer.WriteString("lastHash", LastHash);
            writer.WriteNumber("events", Events);
            writer.WriteString("fileName", FileName);
            writer.WriteString("fileSha256", FileSha256);
            writer.WriteNumber("archivedAt", ArchivedAt.ToUnixTimeMilliseconds());
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static bool TryParse(ReadOnlySpan<byte> json, out ArchiveStatement statement)
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

            var parsed = new ArchiveStatement(root.GetProperty("fromSequence").GetInt64(), root.GetProperty("toSequence").GetInt64(),
                root.GetProperty("firstPreviousHash").GetString() ?? "", root.GetProperty("lastHash").GetString() ?? "",
                root.GetProperty("events").GetInt64(), root.GetProperty("fileName").GetString() ?? "", root.GetProperty("fileSha256").GetString() ?? "",
                DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("archivedAt").GetInt64()));
            if (parsed.FromSequence < 1 || parsed.ToSequence < parsed.FromSequence || parsed.Events != parsed.ToSequence - parsed.FromSequence + 1
                || !IsHash(parsed.FirstPreviousHash) || !IsHash(parsed.LastHash) || !IsHash(parsed.FileSha256)
                || parsed.FileName.Length == 0 || Path.GetFileName(parsed.FileName) != parsed.FileName)
            {
                return false;
            }

            statement = parsed;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private static bool IsHash(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigitLower);
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Bulwark.Core.Access;

/// <summary>
/// Reads a JSON or YAML document (JSON when it starts with '{' or '[') into a <see cref="DocumentNode"/> tree, within
/// limits that keep a hostile document from exhausting memory or stack: size, nesting depth, duplicate keys refused,
/// and no YAML aliases (the "billion laughs" expansion, CWE-776).
/// </summary>
internal static class DocumentReader
{
    public const int MaxBytes = 256 * 1024;
    public const int MaxDepth = 32;

    public static Outcome<DocumentNode> Read(string text, string code)
    {
        if (text.Length > MaxBytes || Encoding.UTF8.GetByteCount(text) > MaxBytes)
        {
            return new Failure(code, 400, $"The document is larger than {MaxBytes / 1024} KiB.");
        }

        var trimmed = text.AsSpan().TrimStart();
        try
        {
            return trimmed.Length > 0 && trimmed[0] is '{' or '['
                ? ReadJson(text)
                : ReadYaml(text);
        }
        catch (JsonException e)
        {
            return new Failure(code, 400, $"Invalid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}.");
        }
        catch (YamlException e)
        {
            return new Failure(code, 400, $"Invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }
        catch (DocumentFormatException e)
        {
            return new Failure(code, 400, e.Message);
        }
    }

    private static DocumentNode ReadJson(string text)
    {
        using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow });
        return Convert(document.RootElement, "$");
    }

    private static DocumentNode Convert(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var entries = new List<KeyValuePair<string, DocumentNode>>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    if (!seen.Add(property.Name))
                    {
                        throw new DocumentFormatException($"Duplicate key '{property.Name}' at {path}.");
                    }

                    entries.Add(KeyValuePair.Create(property.Name, Convert(property.Value, path + "." + property.Name)));
                }

                return new DocumentNode(DocumentNodeKind.Map, "", entries, [], null, false);
            case JsonValueKind.Array:
                var items = element.EnumerateArray().Select((item, i) => Convert(item, $"{path}[{i}]")).ToList();
                return new DocumentNode(DocumentNodeKind.List, "", [], items, null, false);
            case JsonValueKind.String:
                return DocumentNode.Scalar("", element.GetString(), quoted: true);
            case JsonValueKind.Null:
                return DocumentNode.Scalar("", null, quoted: false);
            default:
                return DocumentNode.Scalar("", element.GetRawText(), quoted: false);
        }
    }

    private static DocumentNode ReadYaml(string text)
    {
        var parser = new Parser(new StringReader(text));
        parser.MoveNext();
        Require<StreamStart>(parser);
        parser.MoveNext();
        if (parser.Current is StreamEnd)
        {
            throw new DocumentFormatException("The document is empty.");
        }

        Require<DocumentStart>(parser);
        parser.MoveNext();
        var root = ReadYamlNode(parser, 1);
        Require<DocumentEnd>(parser);
        parser.MoveNext();
        if (parser.Current is not StreamEnd)
        {
            throw new DocumentFormatException($"Only one YAML document is allowed ({Where(parser.Current)}).");
        }

        return root;
    }

    private static DocumentNode ReadYamlNode(Parser parser, int depth)
    {
        var current = parser.Current ?? throw new DocumentFormatException("Unexpected end of YAML.");
        var location = Where(current);
        if (depth > MaxDepth)
        {
            throw new DocumentFormatException($"The document is nested deeper than {MaxDepth} levels ({location}).");
        }

        switch (current)
        {
            case AnchorAlias:
                throw new DocumentFormatException($"YAML aliases are not allowed ({location}).");
            case NodeEvent { Tag.IsEmpty: false }:
                throw new DocumentFormatException($"YAML tags are not allowed ({location}).");
            case Scalar scalar:
                parser.MoveNext();
                var plain = scalar.Style is ScalarStyle.Plain or ScalarStyle.Any;
                var isNull = plain && scalar.Value is "" or "~" or "null";
                return DocumentNode.Scalar(location, isNull ? null : scalar.Value, quoted: !plain);
            case SequenceStart:
                parser.MoveNext();
                var items = new List<DocumentNode>();
                while (parser.Current is not SequenceEnd)
                {
                    items.Add(ReadYamlNode(parser, depth + 1));
                }

                parser.MoveNext();
                return new DocumentNode(DocumentNodeKind.List, location, [], items, null, false);
            case MappingStart:
                parser.MoveNext();
                var entries = new List<KeyValuePair<string, DocumentNode>>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (parser.Current is not MappingEnd)
                {
                    if (parser.Current is not Scalar key)
                    {
                        throw new DocumentFormatException($"Mapping keys must be plain strings ({Where(parser.Current)}).");
                    }

                    if (!seen.Add(key.Value))
                    {
                        throw new DocumentFormatException($"Duplicate key '{key.Value}' ({Where(key)}).");
                    }

                    parser.MoveNext();
                    entries.Add(KeyValuePair.Create(key.Value, ReadYamlNode(parser, depth + 1)));
                }

                parser.MoveNext();
                return new DocumentNode(DocumentNodeKind.Map, location, entries, [], null, false);
            default:
                throw new DocumentFormatException($"Unexpected YAML {current.GetType().Name} ({location}).");
        }
    }

    private static void Require<T>(Parser parser)
        where T : ParsingEvent
    {
        if (parser.Current is not T)
        {
            throw new DocumentFormatException($"Unexpected YAML structure ({Where(parser.Current)}).");
        }
    }

    private static string Where(ParsingEvent? e) =>
        e is null ? "end of document" : string.Create(CultureInfo.InvariantCulture, $"line {e.Start.Line}, column {e.Start.Column}");
}

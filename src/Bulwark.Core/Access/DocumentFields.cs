namespace Bulwark.Core.Access;

/// <summary>Strict accessors over a <see cref="DocumentNode"/>: a wrong shape or an unknown key is an error naming its path.</summary>
internal static class DocumentFields
{
    public static DocumentNode Map(DocumentNode node, string path, params string[] allowedKeys)
    {
        if (node.Kind != DocumentNodeKind.Map)
        {
            throw Fail(path, node, "must be a mapping");
        }

        foreach (var (key, value) in node.Entries)
        {
            if (Array.IndexOf(allowedKeys, key) < 0)
            {
                throw Fail(Join(path, key), value, $"unknown key '{Printable(key)}' (allowed: {string.Join(", ", allowedKeys)})");
            }
        }

        return node;
    }

    public static DocumentNode? Get(DocumentNode map, string key)
    {
        foreach (var (name, value) in map.Entries)
        {
            if (name == key)
            {
                return value;
            }
        }

        return null;
    }

    public static DocumentNode Required(DocumentNode map, string path, string key) =>
        Get(map, key) is { IsNull: false } value ? value : throw Fail(Join(path, key), map, "is required");

    public static string String(DocumentNode node, string path) =>
        node is { Kind: DocumentNodeKind.Scalar, Text: not null } ? node.Text : throw Fail(path, node, "must be a string");

    public static string? OptionalString(DocumentNode map, string path, string key) =>
        Get(map, key) is { IsNull: false } value ? String(value, Join(path, key)) : null;

    /// <summary>A list of strings; a single string is accepted as a list of one.</summary>
    public static List<string> Strings(DocumentNode node, string path)
    {
        if (node.Kind == DocumentNodeKind.Scalar)
        {
            return [String(node, path)];
        }

        if (node.Kind != DocumentNodeKind.List)
        {
            throw Fail(path, node, "must be a string or a list of strings");
        }

        return node.Items.Select((item, i) => String(item, $"{path}[{i}]")).ToList();
    }

    public static IReadOnlyList<DocumentNode> List(DocumentNode node, string path) =>
        node.Kind == DocumentNodeKind.List ? node.Items : throw Fail(path, node, "must be a list");

    public static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    public static DocumentFormatException Fail(string path, DocumentNode node, string message) =>
        new($"{path}{node.At}: {message}");

    private static string Printable(string key) => key.Length <= 40 && key.All(c => !char.IsControl(c)) ? key : key[..Math.Min(key.Length, 40)].Replace('\n', ' ') + "…";
}

namespace Bulwark.Core.Access;

/// <summary>
/// The one tree JSON and YAML documents are read into, so that both formats go through the same validation and
/// produce the same policies. <see cref="Quoted"/> keeps YAML's distinction between <c>"true"</c> (a string) and
/// <c>true</c> (a bool); JSON strings are quoted, JSON numbers, booleans and null are not.
/// </summary>
internal sealed record DocumentNode(
    DocumentNodeKind Kind,
    string Location,
    IReadOnlyList<KeyValuePair<string, DocumentNode>> Entries,
    IReadOnlyList<DocumentNode> Items,
    string? Text,
    bool Quoted)
{
    public static DocumentNode Scalar(string location, string? text, bool quoted) => new(DocumentNodeKind.Scalar, location, [], [], text, quoted);

    public bool IsNull => Kind == DocumentNodeKind.Scalar && Text is null;

    /// <summary>" (line 3, column 5)" for YAML; JSON errors are located by their path alone.</summary>
    public string At => Location.Length == 0 ? "" : $" ({Location})";
}

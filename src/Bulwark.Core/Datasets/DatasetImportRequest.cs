namespace Bulwark.Core.Datasets;

/// <summary>What the caller states about an upload; the CSV itself comes as a stream.</summary>
/// <param name="Name">Display name: 1–100 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit.</param>
/// <param name="LabelColumn">The column models predict; optional at import.</param>
/// <param name="DeclaredKinds">Column → "numeric", "categorical" or "label"; other columns are inferred.</param>
/// <param name="Classification">What the caller states; the import raises it to what the columns' tags require.</param>
/// <param name="CreatedBy">The authenticated principal's name, as recorded in audit.</param>
/// <param name="SubjectColumn">The column identifying each row's data subject (erasure and access requests match it); optional.</param>
/// <param name="DeclaredTags">Column → "pii", "phi", "pci" or "none"; wins over detection, except that a card-number column is always pci.</param>
internal sealed record DatasetImportRequest(
    string Name,
    DataClassification Classification,
    string? LabelColumn,
    IReadOnlyDictionary<string, string>? DeclaredKinds,
    string CreatedBy,
    string? ClientAddress,
    IReadOnlyDictionary<string, string>? DeclaredTags = null,
    string? SubjectColumn = null);

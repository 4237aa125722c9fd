namespace Bulwark.Client.Contracts;

/// <summary>An imported dataset as the API returns it. Rows are never returned.</summary>
/// <param name="SubjectColumn">The subject-id column declared at import (erasure and access requests match it), or null.</param>
public sealed record DatasetInfo(
    Guid Id,
    string Name,
    string Classification,
    string ContentDigest,
    int RowCount,
    long SizeBytes,
    IReadOnlyList<DatasetColumn> Columns,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    string? SubjectColumn = null);

/// <summary>
/// A column of a dataset schema. Kind is "numeric", "categorical", "label" or "identifier" (a card-number column once
/// truncated or tokenised: never a training feature). Tag is "pii", "phi" or "pci", or null; Detected names what the
/// import's detectors recognised ("card-number", "ssn", "iban", "email", "phone", "birth-date"); Protection is
/// "truncated" or "tokenised" where card numbers were replaced. A tagged column's statistics and categories are not
/// returned: they are values of the people in the data.
/// </summary>
public sealed record DatasetColumn(
    string Name,
    string Kind,
    double? Min = null,
    double? Max = null,
    double? Mean = null,
    double? StdDev = null,
    IReadOnlyList<string>? Categories = null,
    string? Tag = null,
    string? Detected = null,
    string? Protection = null);

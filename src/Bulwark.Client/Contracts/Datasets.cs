namespace Bulwark.Client.Contracts;

/// <summary>An imported dataset as the API returns it. Rows are never returned.</summary>
public sealed record DatasetInfo(
    Guid Id,
    string Name,
    string Classification,
    string ContentDigest,
    int RowCount,
    long SizeBytes,
    IReadOnlyList<DatasetColumn> Columns,
    string CreatedBy,
    DateTimeOffset CreatedAt);

/// <summary>A column of a dataset schema. Kind is "numeric", "categorical" or "label".</summary>
public sealed record DatasetColumn(
    string Name,
    string Kind,
    double? Min = null,
    double? Max = null,
    double? Mean = null,
    double? StdDev = null,
    IReadOnlyList<string>? Categories = null);

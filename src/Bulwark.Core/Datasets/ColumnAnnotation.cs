namespace Bulwark.Core.Datasets;

/// <summary>What the import's screening recorded about a column: its tag, the detector's finding, the PAN protection.</summary>
internal sealed record ColumnAnnotation(string? Tag, string? Detected, string? Protection)
{
    /// <summary>The annotations a stored schema carries, so a reload types and tags every column as the import did.</summary>
    public static Dictionary<string, ColumnAnnotation> Of(DatasetSchema schema) =>
        schema.Columns.Where(c => c.Tag is not null || c.Detected is not null || c.Protection is not null)
            .ToDictionary(c => c.Name, c => new ColumnAnnotation(c.Tag, c.Detected, c.Protection), StringComparer.Ordinal);

    public DatasetColumnSchema ApplyTo(DatasetColumnSchema column) => column with { Tag = Tag, Detected = Detected, Protection = Protection };
}

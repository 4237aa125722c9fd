namespace Bulwark.Core.Datasets;

/// <summary>A dataset decrypted and parsed into columns, ready for training. Lives in memory only.</summary>
/// <param name="Id">The dataset id; <see cref="Guid.Empty"/> for data parsed straight from bytes.</param>
/// <param name="ContentDigest">SHA-256 of the CSV bytes, lowercase hex.</param>
internal sealed record LoadedDataset(Guid Id, string ContentDigest, DatasetSchema Schema, int RowCount, IReadOnlyList<LoadedColumn> Columns)
{
    public LoadedColumn? Find(string name) => Columns.FirstOrDefault(c => string.Equals(c.Schema.Name, name, StringComparison.Ordinal));
}

/// <summary>One column: <see cref="Numbers"/> when the column is numeric, else <see cref="Values"/>.</summary>
internal sealed record LoadedColumn(DatasetColumnSchema Schema, double[]? Numbers, string[]? Values)
{
    public string Name => Schema.Name;

    /// <summary>The cell of row <paramref name="row"/> as text (numbers in invariant round-trip form), e.g. for class labels.</summary>
    public string TextAt(int row) => Values is not null ? Values[row] : DatasetAnalyzer.Format(Numbers![row]);
}

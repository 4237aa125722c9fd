namespace Bulwark.Core.Datasets;

/// <summary>The outcome of <see cref="DatasetScreening"/>: the CSV to store and what was found in it.</summary>
/// <param name="Text">The CSV to store: the upload itself, or its rewrite with every card number truncated or tokenised.</param>
/// <param name="Rewritten">True when <see cref="Text"/> is a rewrite (its cells may be longer than the upload's).</param>
/// <param name="Annotations">Per column name: tag, detector finding and PAN protection; columns with none are absent.</param>
/// <param name="Identifiers">Card-number columns, stored as identifiers (no category set, never a training feature).</param>
/// <param name="PanColumns">Columns in which card numbers were replaced.</param>
/// <param name="PanCells">Cells in which card numbers were replaced.</param>
internal sealed record ScreenedCsv(
    string Text,
    bool Rewritten,
    IReadOnlyDictionary<string, ColumnAnnotation> Annotations,
    IReadOnlySet<string> Identifiers,
    IReadOnlyList<string> PanColumns,
    int PanCells);

namespace Bulwark.Core.Datasets;

/// <summary>
/// The subject-id column a dataset import may declare: the column that says whose row it is, so that erasure and access
/// requests (GDPR Art. 15 and 17) can find every row of one person. It must name exactly one column of the header.
/// </summary>
internal static class SubjectColumns
{
    /// <summary>A failure when <paramref name="column"/> is not exactly one column of the CSV's header; null when it is.</summary>
    public static Failure? Check(string csv, string column)
    {
        string[] header = [];
        var stop = new Failure("stop", 0, "");
        var limits = new DatasetsOptions { MaxBytes = long.MaxValue, MaxRows = int.MaxValue, MaxColumns = int.MaxValue, MaxCellLength = int.MaxValue };
        Rfc4180Reader.Read(csv, limits, names =>
        {
            header = names;
            return stop; // only the header is needed
        }, (_, _, _) => null);
        var count = header.Count(h => string.Equals(h, column, StringComparison.Ordinal));
        return count switch
        {
            0 => DatasetErrors.InvalidRequest($"The subject column '{column}' is not in the CSV header."),
            1 => null,
            _ => DatasetErrors.InvalidRequest($"The subject column '{column}' appears more than once in the CSV header."),
        };
    }
}

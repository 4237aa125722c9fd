using System.Text;
using Bulwark.Core.Datasets;

namespace Bulwark.Core.Privacy;

/// <summary>Splits a dataset's CSV into one subject's rows and everyone else's, by the dataset's subject column.</summary>
internal static class SubjectRows
{
    private static readonly DatasetsOptions Unlimited = new() { MaxBytes = long.MaxValue, MaxRows = int.MaxValue, MaxColumns = int.MaxValue, MaxCellLength = int.MaxValue };

    /// <summary>
    /// The CSV without the subject's rows (header kept) and the subject's rows as column → value maps. Fails when the
    /// stored text no longer parses or lacks the subject column.
    /// </summary>
    public static Outcome<(string Remaining, int Kept, List<Dictionary<string, string>> Matched)> Split(string csv, string subjectColumn, string subjectKey)
    {
        if (csv.Length > 0 && csv[0] == '\uFEFF')
        {
            csv = csv[1..];
        }

        var remaining = new StringBuilder(csv.Length);
        var matched = new List<Dictionary<string, string>>();
        string[] header = [];
        var column = -1;
        var kept = 0;
        var read = Rfc4180Reader.Read(csv, Unlimited, names =>
        {
            header = [.. names];
            column = Array.IndexOf(header, subjectColumn);
            CsvText.AppendRecord(remaining, header);
            return column < 0 ? DatasetErrors.Malformed($"The subject column '{subjectColumn}' is not in the stored CSV.") : null;
        }, (fields, _, _) =>
        {
            if (string.Equals(SubjectKeys.Normalise(fields[column]), subjectKey, StringComparison.Ordinal))
            {
                var row = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var j = 0; j < header.Length; j++)
                {
                    row[header[j]] = fields[j];
                }

                matched.Add(row);
            }
            else
            {
                CsvText.AppendRecord(remaining, fields);
                kept++;
            }

            return null;
        });
        return read.Succeeded ? (remaining.ToString(), kept, matched) : read.Failure;
    }
}

using System.Text;
using Bulwark.Core.Compliance;

namespace Bulwark.Core.Datasets;

/// <summary>
/// Looks at an upload before anything is stored: tags each column (declared, else detected by
/// <see cref="ColumnScanner"/>) and applies the project's PAN policy, so that no card number is ever stored in clear.
/// </summary>
/// <remarks>
/// Card numbers are found cell by cell (<see cref="CardNumberDetector.Find"/>: a whole cell, or a number inside free
/// text), not only in columns past the detection threshold: one PAN in a notes column is as much a PAN as a column of
/// them. Under "reject" the first one fails the import with its row and column; otherwise every one is replaced in place,
/// and a column that the threshold recognises as a card-number column is replaced whole (including numbers that fail
/// Luhn: a mistyped PAN is still cardholder data) and stored as an identifier. Messages name rows and columns and show
/// at most a card's last four digits.
/// </remarks>
internal static class DatasetScreening
{
    public const string Truncated = "truncated";
    public const string Tokenised = "tokenised";

    /// <param name="tokenise">Digits → token, for <see cref="PanPolicy.Tokenise"/>.</param>
    public static Outcome<ScreenedCsv> Screen(
        string text,
        DatasetsOptions limits,
        IReadOnlyDictionary<string, string>? declaredTags,
        string? labelColumn,
        PanPolicy policy,
        Func<string, string> tokenise,
        DateOnly today)
    {
        declaredTags ??= new Dictionary<string, string>(StringComparer.Ordinal);
        string[] header = [];
        ColumnScanner[] scanners = [];
        int[] panCells = [];
        Failure? OnHeader(string[] names)
        {
            for (var j = 0; j < names.Length; j++)
            {
                if (CardNumberDetector.Find(names[j]).Count > 0)
                {
                    return DatasetErrors.Pan($"Header (line 1), column {j + 1}: the column name contains a card number; rename the column.");
                }
            }

            foreach (var column in declaredTags.Keys)
            {
                if (Array.IndexOf(names, column) < 0)
                {
                    return DatasetErrors.InvalidRequest($"A tag is declared for column '{column}', which the CSV does not have.");
                }
            }

            header = names;
            scanners = [.. names.Select(n => new ColumnScanner(n, today))];
            panCells = new int[names.Length];
            return null;
        }

        Failure? Observe(string[] fields, int row, int line)
        {
            for (var j = 0; j < fields.Length; j++)
            {
                scanners[j].Observe(fields[j]);
                var found = CardNumberDetector.Find(fields[j]);
                if (found.Count == 0)
                {
                    continue;
                }

                if (policy == PanPolicy.Reject)
                {
                    return DatasetErrors.Pan(
                        $"Row {row} (line {line}), column '{header[j]}': a card number ({PanMasking.LastFour(found[0].Digits)}) was found and this "
                        + "project's PAN policy is reject. Remove the card numbers, or have an administrator set the project's PAN policy to "
                        + "truncate or tokenise.", header[j], row);
                }

                panCells[j]++;
            }

            return null;
        }

        var read = Rfc4180Reader.Read(text, limits, OnHeader, Observe);
        if (!read.Succeeded)
        {
            return read.Failure;
        }

        var annotations = new Dictionary<string, ColumnAnnotation>(StringComparer.Ordinal);
        var identifiers = new HashSet<string>(StringComparer.Ordinal);
        var panColumns = new List<string>();
        var wholeColumn = new bool[header.Length];
        var hasPan = new bool[header.Length];
        for (var j = 0; j < header.Length; j++)
        {
            var name = header[j];
            var detected = scanners[j].Detected();
            wholeColumn[j] = detected == SensitiveDataKind.CardNumber;
            hasPan[j] = wholeColumn[j] || panCells[j] > 0;
            declaredTags.TryGetValue(name, out var declared);
            if (hasPan[j] && declared is not null && declared != ColumnTags.Pci)
            {
                // PCI DSS scope is decided by the data, not by a label: declaring it away is refused rather than obeyed.
                return DatasetErrors.Conflict(
                    $"Column '{name}' holds card numbers, so it is always tagged pci; it cannot be declared '{declared}'.", name);
            }

            if (wholeColumn[j] && name == labelColumn)
            {
                return DatasetErrors.InvalidRequest($"Column '{name}' holds card numbers and cannot be the label.");
            }

            var tag = declared is not null
                ? (declared == ColumnTags.None ? null : declared)
                : hasPan[j] ? ColumnTags.Pci : detected is { } kind ? ColumnTags.For(kind) : null;
            var finding = hasPan[j] ? ColumnTags.NameOf(SensitiveDataKind.CardNumber) : detected is { } k ? ColumnTags.NameOf(k) : null;
            var protection = hasPan[j] ? (policy == PanPolicy.Truncate ? Truncated : Tokenised) : null;
            if (tag is not null || finding is not null)
            {
                annotations[name] = new ColumnAnnotation(tag, finding, protection);
            }

            if (wholeColumn[j])
            {
                identifiers.Add(name);
            }

            if (hasPan[j])
            {
                panColumns.Add(name);
            }
        }

        if (panColumns.Count == 0)
        {
            return new ScreenedCsv(text, false, annotations, identifiers, [], 0);
        }

        var rewritten = Rewrite(text, limits, header, wholeColumn, hasPan, policy == PanPolicy.Truncate ? PanMasking.Truncate : tokenise);
        return rewritten.Succeeded
            ? new ScreenedCsv(rewritten.Value.Text, true, annotations, identifiers, panColumns, rewritten.Value.Cells)
            : rewritten.Failure;
    }

    private static Outcome<(string Text, int Cells)> Rewrite(
        string text, DatasetsOptions limits, string[] header, bool[] wholeColumn, bool[] hasPan, Func<string, string> protect)
    {
        var builder = new StringBuilder(text.Length + 1024);
        CsvText.AppendRecord(builder, header);
        var cells = 0;
        var record = new string[header.Length];
        Failure? Write(string[] fields, int row, int line)
        {
            for (var j = 0; j < fields.Length; j++)
            {
                record[j] = fields[j];
                if (!hasPan[j])
                {
                    continue;
                }

                var protectedCell = Protect(fields[j], wholeColumn[j], protect);
                if (!ReferenceEquals(protectedCell, fields[j]))
                {
                    record[j] = protectedCell;
                    cells++;
                }
            }

            CsvText.AppendRecord(builder, record);
            return null;
        }

        var read = Rfc4180Reader.Read(text, limits, _ => null, Write);
        return read.Succeeded ? (builder.ToString(), cells) : read.Failure;
    }

    /// <summary>The cell with its card numbers replaced; the same instance when it holds none.</summary>
    private static string Protect(string cell, bool wholeColumn, Func<string, string> protect)
    {
        if (wholeColumn && CardNumberDetector.IsCardShaped(cell, out var digits))
        {
            return protect(digits);
        }

        var found = CardNumberDetector.Find(cell);
        if (found.Count == 0)
        {
            return cell;
        }

        var result = new StringBuilder(cell.Length + 32);
        var position = 0;
        foreach (var occurrence in found)
        {
            result.Append(cell, position, occurrence.Start - position).Append(protect(occurrence.Digits));
            position = occurrence.Start + occurrence.Length;
        }

        return result.Append(cell, position, cell.Length - position).ToString();
    }
}

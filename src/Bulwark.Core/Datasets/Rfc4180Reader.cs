using System.Text;
using System.Text.RegularExpressions;

namespace Bulwark.Core.Datasets;

/// <summary>
/// A strict RFC 4180 reader. Hand-written rather than Sep because Sep (0.17, checked) is deliberately lenient: it
/// silently accepts a stray quote inside an unquoted field (<c>1,x"y</c>), drops text after a closing quote
/// (<c>"x"y</c> reads as <c>xy</c>) and lets an unterminated quote swallow the rest of the file without an error. An
/// import must refuse all three and name the first bad row and column.
/// </summary>
/// <remarks>
/// Records end with CRLF (RFC 4180 §2.1) or a bare LF (common in practice); a lone CR is refused. A header row is
/// required (§2.3 makes it optional; we do not). Every record has the header's field count (§2.4). Quoted fields may
/// hold commas, line breaks and doubled quotes (§2.5–2.7); nothing may follow a closing quote but a separator.
/// Error details name rows and columns, never cell contents: the data may be classified.
/// </remarks>
internal static partial class Rfc4180Reader
{
    /// <summary>A data row; returning a failure stops the read. <paramref name="fields"/> is reused after the call returns.</summary>
    public delegate Failure? RowVisitor(string[] fields, int row, int line);

    /// <summary>
    /// Streams the CSV: validates the header and hands it to <paramref name="onHeader"/>, then each data row (1-based
    /// <c>row</c>, physical <c>line</c>) to <paramref name="onRow"/>, without keeping rows. Returns the data row count.
    /// </summary>
    public static Outcome<int> Read(string text, DatasetsOptions limits, Func<string[], Failure?> onHeader, RowVisitor onRow)
    {
        if (text.Length == 0)
        {
            return DatasetErrors.Malformed("The CSV is empty: a header row is required.");
        }

        var reader = new State(text, limits);
        var header = reader.ReadRecord(null, 0, out var failure);
        failure ??= ValidateHeader(header!, limits) ?? onHeader(header!);
        if (failure is not null)
        {
            return failure;
        }

        var rows = 0;
        while (reader.Position < text.Length)
        {
            var row = rows + 1;
            var line = reader.Line;
            var fields = reader.ReadRecord(header, row, out failure);
            if (failure is not null)
            {
                return failure;
            }

            if (fields!.Length != header!.Length)
            {
                var missing = header[fields.Length];
                return DatasetErrors.Malformed(
                    $"Row {row} (line {line}), column '{missing}': the row has {fields.Length} field(s), the header has {header.Length}.");
            }

            if (rows == limits.MaxRows)
            {
                return DatasetErrors.Large($"The CSV has more than {limits.MaxRows} data rows.");
            }

            if (onRow(fields, row, line) is { } rejected)
            {
                return rejected;
            }

            rows++;
        }

        return rows;
    }

    private static Failure? ValidateHeader(string[] header, DatasetsOptions limits)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++)
        {
            var name = header[i];
            if (name.Length == 0)
            {
                return DatasetErrors.Malformed($"Header (line 1), column {i + 1}: the column name is empty.");
            }

            if (!ColumnNamePattern().IsMatch(name))
            {
                return DatasetErrors.Malformed(
                    $"Header (line 1), column {i + 1}: a column name must match ^[A-Za-z_][A-Za-z0-9_.-]{{0,63}}$.");
            }

            if (!seen.Add(name))
            {
                return DatasetErrors.Malformed($"Header (line 1), column {i + 1}: the column name '{name}' is duplicated.");
            }
        }

        return header.Length > limits.MaxColumns
            ? DatasetErrors.Large($"The CSV has {header.Length} columns; at most {limits.MaxColumns} are accepted.")
            : null;
    }

    // \A and \z, not ^ and $: "$" also matches before a final "\n", which would let "name\n" through.
    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_.-]{0,63}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    internal static partial Regex ColumnNamePattern();

    private sealed class State(string text, DatasetsOptions limits)
    {
        private readonly StringBuilder _field = new();

        public int Position { get; private set; }

        public int Line { get; private set; } = 1;

        /// <summary>Reads one record; <paramref name="header"/> is null while reading the header itself.</summary>
        public string[]? ReadRecord(string[]? header, int row, out Failure? failure)
        {
            var fields = new List<string>(header?.Length ?? 16);
            var recordLine = Line;
            while (true)
            {
                var column = fields.Count;
                string Where() => header is null
                    ? $"Header (line {recordLine}), column {column + 1}"
                    : column < header.Length
                        ? $"Row {row} (line {recordLine}), column '{header[column]}'"
                        : $"Row {row} (line {recordLine}), after the last column '{header[^1]}'";

                if (header is not null && column >= header.Length)
                {
                    failure = DatasetErrors.Malformed($"{Where()}: the row has more fields than the header ({header.Length}).");
                    return null;
                }

                if (header is null && column >= limits.MaxColumns)
                {
                    failure = DatasetErrors.Large($"The CSV has more than {limits.MaxColumns} columns.");
                    return null;
                }

                _field.Clear();
                if (Position < text.Length && text[Position] == '"')
                {
                    var quoteLine = Line;
                    Position++;
                    while (true)
                    {
                        if (Position >= text.Length)
                        {
                            failure = DatasetErrors.Malformed($"{Where()}: the quoted field opened on line {quoteLine} is never closed.");
                            return null;
                        }

                        var c = text[Position++];
                        if (c == '"')
                        {
                            if (Position < text.Length && text[Position] == '"')
                            {
                                Position++;
                                _field.Append('"');
                                continue;
                            }

                            break;
                        }

                        if (c == '\n')
                        {
                            Line++;
                        }

                        _field.Append(c);
                        if (_field.Length > limits.MaxCellLength)
                        {
                            failure = DatasetErrors.Malformed($"{Where()}: the cell is longer than {limits.MaxCellLength} characters.");
                            return null;
                        }
                    }

                    if (Position < text.Length && text[Position] is not (',' or '\r' or '\n'))
                    {
                        failure = DatasetErrors.Malformed($"{Where()}: unexpected text after a closing quote.");
                        return null;
                    }
                }
                else
                {
                    while (Position < text.Length && text[Position] is not (',' or '\r' or '\n'))
                    {
                        if (text[Position] == '"')
                        {
                            failure = DatasetErrors.Malformed($"{Where()}: a quote inside an unquoted field (RFC 4180 §2.5).");
                            return null;
                        }

                        _field.Append(text[Position++]);
                        if (_field.Length > limits.MaxCellLength)
                        {
                            failure = DatasetErrors.Malformed($"{Where()}: the cell is longer than {limits.MaxCellLength} characters.");
                            return null;
                        }
                    }
                }

                fields.Add(_field.ToString());
                if (Position < text.Length && text[Position] == ',')
                {
                    Position++;
                    continue;
                }

                if (Position < text.Length && text[Position] == '\r')
                {
                    Position++;
                    if (Position >= text.Length || text[Position] != '\n')
                    {
                        failure = DatasetErrors.Malformed($"{Where()}: a carriage return not followed by a line feed.");
                        return null;
                    }
                }

                if (Position < text.Length)
                {
                    Position++; // the '\n'
                    Line++;
                }

                failure = null;
                return [.. fields];
            }
        }
    }
}

using System.Globalization;

namespace Bulwark.Core.Datasets;

/// <summary>
/// Turns a parsed CSV into typed columns and a <see cref="DatasetSchema"/>: infers (or checks declared) kinds, refuses
/// empty and non-finite cells, and records ranges, moments and category sets.
/// </summary>
internal static class DatasetAnalyzer
{
    public const int MaxCategories = 1000;

    private const NumberStyles Strict = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses and types <paramref name="text"/> in two streaming passes: the first checks every cell and decides each
    /// column's kind, the second fills typed arrays. Rows are never held as strings, so memory stays at 8 bytes per
    /// cell (a double, or a reference to one shared category string) however the CSV is shaped.
    /// </summary>
    /// <param name="declaredKinds">Column → "numeric", "categorical", "label" or "identifier"; columns not listed are inferred.</param>
    /// <param name="annotations">Tags and findings of the import's screening, copied onto the columns' schemas.</param>
    public static Outcome<LoadedDataset> Analyze(
        string text, DatasetsOptions limits, string? labelColumn, IReadOnlyDictionary<string, string>? declaredKinds, string contentDigest, Guid id = default,
        IReadOnlyDictionary<string, ColumnAnnotation>? annotations = null)
    {
        string[] header = [];
        ColumnKind?[] declared = [];
        var labelIndex = -1;
        bool[] numeric = [];
        HashSet<string>?[] distinct = [];
        Failure? OnHeader(string[] names)
        {
            header = names;
            var resolved = ResolveKinds(names, labelColumn, declaredKinds);
            if (!resolved.Succeeded)
            {
                return resolved.Failure;
            }

            (declared, labelIndex) = resolved.Value;
            numeric = declared.Select(k => k is not (ColumnKind.Categorical or ColumnKind.Identifier)).ToArray();

            // Identifiers keep no category set: they would hold one value per row.
            distinct = declared.Select(k => k == ColumnKind.Identifier ? null : new HashSet<string>(StringComparer.Ordinal)).ToArray();
            return null;
        }

        // Pass 1, row-major so the error names the first bad row, whatever its column.
        Failure? Check(string[] fields, int row, int line)
        {
            for (var j = 0; j < fields.Length; j++)
            {
                var cell = fields[j];
                if (cell.Length == 0)
                {
                    return DatasetErrors.Malformed($"{Where(row, line, header[j])}: the cell is empty; missing values are not supported.");
                }

                if (double.TryParse(cell, Strict, CultureInfo.InvariantCulture, out var value))
                {
                    // .NET parses "1e309" as +Infinity and accepts "NaN"/"Infinity": refuse them here, whatever the kind.
                    if (!double.IsFinite(value))
                    {
                        return DatasetErrors.Malformed($"{Where(row, line, header[j])}: the number is not finite (overflow, NaN or infinity).");
                    }
                }
                else if (IsNonFiniteWord(cell))
                {
                    return DatasetErrors.Malformed($"{Where(row, line, header[j])}: the number is not finite (overflow, NaN or infinity).");
                }
                else if (declared[j] == ColumnKind.Numeric)
                {
                    return DatasetErrors.Malformed($"{Where(row, line, header[j])}: the column is declared numeric but the cell is not a number.");
                }
                else
                {
                    numeric[j] = false;
                }

                // Past the cap a column can only be numeric; stop collecting (and holding) its values.
                if (distinct[j] is { } set && set.Add(cell) && set.Count > MaxCategories)
                {
                    distinct[j] = null;
                }
            }

            return null;
        }

        var counted = Rfc4180Reader.Read(text, limits, OnHeader, Check);
        if (!counted.Succeeded)
        {
            return counted.Failure;
        }

        var rows = counted.Value;
        var numbers = new double[header.Length][];
        var values = new string[header.Length][];
        var pools = new Dictionary<string, string>?[header.Length];
        var schemas = new DatasetColumnSchema[header.Length];
        for (var j = 0; j < header.Length; j++)
        {
            var kind = j == labelIndex ? ColumnKind.Label : numeric[j] && rows > 0 ? ColumnKind.Numeric : ColumnKind.Categorical;
            if (numeric[j] && rows > 0)
            {
                numbers[j] = new double[rows];
                continue;
            }

            if (declared[j] == ColumnKind.Identifier)
            {
                values[j] = new string[rows];
                schemas[j] = new DatasetColumnSchema(header[j], ColumnKind.Identifier);
                continue;
            }

            if (distinct[j] is null)
            {
                return DatasetErrors.InvalidRequest(
                    $"Column '{header[j]}' has more than {MaxCategories} distinct values; declare fewer categories or drop it.");
            }

            var categories = distinct[j]!.Order(StringComparer.Ordinal).ToArray();
            pools[j] = categories.ToDictionary(c => c, c => c, StringComparer.Ordinal);
            values[j] = new string[rows];
            schemas[j] = new DatasetColumnSchema(header[j], kind, Categories: categories);
        }

        // Pass 2: the text already passed every check, so this only fills the arrays.
        Failure? Fill(string[] fields, int row, int line)
        {
            for (var j = 0; j < fields.Length; j++)
            {
                if (numbers[j] is { } column)
                {
                    column[row - 1] = double.Parse(fields[j], Strict, CultureInfo.InvariantCulture);
                }
                else
                {
                    // One shared instance per category; an identifier's values are all its own.
                    values[j][row - 1] = pools[j] is { } pool ? pool[fields[j]] : fields[j];
                }
            }

            return null;
        }

        var filled = Rfc4180Reader.Read(text, limits, _ => null, Fill);
        if (!filled.Succeeded)
        {
            return filled.Failure;
        }

        var columns = new LoadedColumn[header.Length];
        for (var j = 0; j < header.Length; j++)
        {
            var annotation = annotations is not null && annotations.TryGetValue(header[j], out var a) ? a : null;
            if (numbers[j] is not { } column)
            {
                columns[j] = new LoadedColumn(annotation?.ApplyTo(schemas[j]) ?? schemas[j], null, values[j]);
                continue;
            }

            var stats = NumericSchema(header[j], j == labelIndex ? ColumnKind.Label : ColumnKind.Numeric, column);
            if (!double.IsFinite(stats.Mean!.Value) || !double.IsFinite(stats.StdDev!.Value) || !double.IsFinite(stats.Max!.Value - stats.Min!.Value))
            {
                return DatasetErrors.InvalidRequest($"Column '{header[j]}': the values are too large to summarise (the range overflows).");
            }

            columns[j] = new LoadedColumn(annotation?.ApplyTo(stats) ?? stats, column, null);
        }

        var schema = new DatasetSchema(columns.Select(c => c.Schema).ToArray());
        return new LoadedDataset(id, contentDigest, schema, rows, columns);
    }

    private static string Where(int row, int line, string column) => $"Row {row} (line {line}), column '{column}'";

    /// <summary>Declared kinds per header position, and the label's position (-1 if none).</summary>
    private static Outcome<(ColumnKind?[] Kinds, int Label)> ResolveKinds(
        string[] header, string? labelColumn, IReadOnlyDictionary<string, string>? declaredKinds)
    {
        var declared = new ColumnKind?[header.Length];
        foreach (var (column, kind) in declaredKinds ?? new Dictionary<string, string>())
        {
            var index = Array.IndexOf(header, column);
            if (index < 0)
            {
                return DatasetErrors.InvalidRequest($"A kind is declared for column '{column}', which the CSV does not have.");
            }

            ColumnKind? parsed = kind.ToUpperInvariant() switch
            {
                "NUMERIC" => ColumnKind.Numeric,
                "CATEGORICAL" => ColumnKind.Categorical,
                "LABEL" => ColumnKind.Label,
                "IDENTIFIER" => ColumnKind.Identifier,
                _ => null,
            };
            if (parsed is null)
            {
                return DatasetErrors.InvalidRequest($"Column '{column}': kind must be numeric, categorical, label or identifier.");
            }

            declared[index] = parsed;
        }

        var declaredLabels = Enumerable.Range(0, header.Length).Where(i => declared[i] == ColumnKind.Label).ToList();
        if (declaredLabels.Count > 1 || (declaredLabels.Count == 1 && labelColumn is not null && header[declaredLabels[0]] != labelColumn))
        {
            return DatasetErrors.InvalidRequest("At most one label column may be declared.");
        }

        var labelIndex = declaredLabels.Count == 1 ? declaredLabels[0] : -1;
        if (labelColumn is not null)
        {
            labelIndex = Array.IndexOf(header, labelColumn);
            if (labelIndex < 0)
            {
                return DatasetErrors.InvalidRequest($"The label column '{labelColumn}' is not in the CSV header.");
            }

            if (declared[labelIndex] == ColumnKind.Identifier)
            {
                return DatasetErrors.InvalidRequest($"The label column '{labelColumn}' is an identifier column and cannot be the label.");
            }
        }

        return (declared, labelIndex);
    }

    /// <summary>The kinds a stored schema implies, so a reload types every column exactly as the import did.</summary>
    public static Dictionary<string, string> KindsOf(DatasetSchema schema) =>
        schema.Columns.Where(c => c.Kind != ColumnKind.Label)
            .ToDictionary(c => c.Name, c => c.Kind switch
            {
                ColumnKind.Numeric => "numeric",
                ColumnKind.Identifier => "identifier",
                _ => "categorical",
            }, StringComparer.Ordinal);

    private static bool IsNonFiniteWord(string cell)
    {
        var s = cell.TrimStart('+', '-');
        return s.Equals("nan", StringComparison.OrdinalIgnoreCase)
            || s.Equals("inf", StringComparison.OrdinalIgnoreCase)
            || s.Equals("infinity", StringComparison.OrdinalIgnoreCase)
            || s == "∞";
    }

    private static DatasetColumnSchema NumericSchema(string name, ColumnKind kind, double[] values)
    {
        // Welford's algorithm: numerically stable single pass (Knuth TAOCP vol. 2, §4.2.2). Population deviation.
        double min = double.PositiveInfinity, max = double.NegativeInfinity, mean = 0, m2 = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var x = values[i];
            min = Math.Min(min, x);
            max = Math.Max(max, x);
            var delta = x - mean;
            mean += delta / (i + 1);
            m2 += delta * (x - mean);
        }

        return new DatasetColumnSchema(name, kind, min, max, mean, Math.Sqrt(m2 / values.Length));
    }
}

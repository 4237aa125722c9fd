using Bulwark.Core.Datasets;
using Bulwark.Core.Serving;

namespace Bulwark.Core.Registry;

/// <summary>Rows of a dataset encoded for one model: feature vectors (row-major) and labels (1/0, class index or value).</summary>
internal sealed record GoldenSet(float[] Features, double[] Labels, int Count, int Skipped);

/// <summary>
/// Encodes a labelled dataset with a model version's own feature schema (the encoding it was trained on), so any
/// version, trained here or imported, can be scored on the same rows. Rows the model cannot take (a category it never
/// saw, a label outside its classes) are skipped and counted.
/// </summary>
internal static class GoldenRows
{
    public static Outcome<GoldenSet> Build(LoadedDataset data, FeatureSchema schema, string? labelColumn, IReadOnlyList<int>? rows = null)
    {
        var label = labelColumn is not null ? data.Find(labelColumn) : data.Schema.Label is { } l ? data.Find(l.Name) : null;
        if (label is null)
        {
            return new Failure(RegistryErrors.GateFailedCode, 422, "The dataset has no label column the model was trained on.");
        }

        var columns = new LoadedColumn[schema.Features.Count];
        for (var i = 0; i < schema.Features.Count; i++)
        {
            var column = data.Find(schema.Features[i].Name);
            if (column is null || (schema.Features[i].Kind == FeatureKind.Numeric) != (column.Numbers is not null))
            {
                return new Failure(RegistryErrors.GateFailedCode, 422, $"The dataset lacks feature '{schema.Features[i].Name}' (or has it with another type).");
            }

            columns[i] = column;
        }

        var width = schema.VectorWidth;
        var indices = rows ?? Enumerable.Range(0, data.RowCount).ToArray();
        var features = new List<float>(indices.Count * width);
        var labels = new List<double>(indices.Count);
        var numeric = new double[schema.Features.Count];
        var categorical = new string?[schema.Features.Count];
        var vector = new float[width];
        var skipped = 0;
        foreach (var row in indices)
        {
            if (!TryLabel(schema.Output, label, row, out var y))
            {
                skipped++;
                continue;
            }

            for (var i = 0; i < columns.Length; i++)
            {
                if (columns[i].Numbers is { } numbers)
                {
                    numeric[i] = numbers[row];
                }
                else
                {
                    categorical[i] = columns[i].Values![row];
                }
            }

            try
            {
                FeatureVectorizer.WriteRow(schema, numeric, categorical, vector);
            }
            catch (ArgumentException)
            {
                skipped++;
                continue;
            }

            features.AddRange(vector);
            labels.Add(y);
        }

        return labels.Count == 0
            ? new Failure(RegistryErrors.GateFailedCode, 422, "No row of the dataset can be scored by the model.")
            : new GoldenSet([.. features], [.. labels], labels.Count, skipped);
    }

    private static bool TryLabel(OutputSpec output, LoadedColumn label, int row, out double y)
    {
        y = 0;
        if (output.Task == "regression")
        {
            if (label.Numbers is null)
            {
                return false;
            }

            y = label.Numbers[row];
            return true;
        }

        var index = output.Classes is { } classes ? IndexOf(classes, label.TextAt(row)) : -1;
        y = index;
        return index >= 0;
    }

    private static int IndexOf(IReadOnlyList<string> classes, string value)
    {
        for (var i = 0; i < classes.Count; i++)
        {
            if (string.Equals(classes[i], value, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}

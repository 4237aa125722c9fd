using Bulwark.Core.Datasets;
using Bulwark.Core.Serving;
using Bulwark.Core.Training;

namespace Bulwark.Core.Monitoring;

/// <summary>Fits a <see cref="ReferenceProfile"/> on training rows. Pure and deterministic for a given seed.</summary>
internal static class ReferenceProfileBuilder
{
    /// <summary>Rows the joint profile is fitted on (the first ones of the sample): its cost grows with rows × d².</summary>
    public const int MaxMultivariateRows = 20_000;

    /// <summary>The rows to profile: all training rows, or a seeded sample of <see cref="ReferenceProfile.MaxRows"/>.</summary>
    public static int[] SampleRows(IReadOnlyList<int> trainRows, int seed)
    {
        var rows = trainRows.ToArray();
        if (rows.Length <= ReferenceProfile.MaxRows)
        {
            return rows;
        }

        SeededRandom.Shuffle(SeededRandom.Create(seed), rows);
        return rows[..ReferenceProfile.MaxRows];
    }

    /// <summary>
    /// Profiles <paramref name="rows"/> of <paramref name="dataset"/> as <paramref name="schema"/> sees them, with the
    /// model's raw outputs on the same rows (row-major, <paramref name="outputWidth"/> per row, as the runtimes write them).
    /// </summary>
    public static ReferenceProfile Fit(LoadedDataset dataset, FeatureSchema schema, IReadOnlyList<int> rows, ReadOnlySpan<float> outputs, int outputWidth)
    {
        var numeric = new List<NumericProfile>();
        var categorical = new List<CategoricalProfile>();
        var buffer = new double[rows.Count];
        var categories = 0;
        foreach (var feature in schema.Features.Take(ReferenceProfile.MaxFeatures))
        {
            var column = dataset.Find(feature.Name);
            if (feature.Kind == FeatureKind.Numeric && column?.Numbers is { } numbers)
            {
                for (var r = 0; r < rows.Count; r++)
                {
                    buffer[r] = numbers[rows[r]];
                }

                Array.Sort(buffer);
                numeric.Add(NumericProfile.Fit(feature.Name, buffer));
            }
            else if (feature.Kind == FeatureKind.Categorical && column?.Values is { } values && categories + feature.Categories!.Count <= ReferenceProfile.MaxCategories)
            {
                categories += feature.Categories.Count;
                categorical.Add(Count(feature.Name, feature.Categories, rows.Select(r => values[r])));
            }
        }

        return new ReferenceProfile(ReferenceProfile.CurrentFormat, rows.Count, numeric, categorical,
            FitJoint(dataset, numeric, rows), FitPredictions(schema.Output, outputs, outputWidth, rows.Count));
    }

    private static MultivariateProfile? FitJoint(LoadedDataset dataset, List<NumericProfile> numeric, IReadOnlyList<int> rows)
    {
        // A constant feature has no spread to standardise by; the range check still covers it.
        var used = numeric.Where(p => p.StdDev > 0).ToList();
        if (used.Count > MultivariateProfile.MaxFeatures)
        {
            return null;
        }

        var n = Math.Min(rows.Count, MaxMultivariateRows);
        var d = used.Count;
        var values = new double[n * d];
        for (var j = 0; j < d; j++)
        {
            var numbers = dataset.Find(used[j].Name)!.Numbers!;
            for (var r = 0; r < n; r++)
            {
                values[(r * d) + j] = numbers[rows[r]];
            }
        }

        return MultivariateFitter.Fit([.. used.Select(p => p.Name)], values, n);
    }

    /// <summary>
    /// The predictions as serving hardens them (<see cref="OutputHardener"/>), scored like live ones: at the precision
    /// monitoring captures (<see cref="RowPrediction.MonitoredScore"/>, 4 decimals), whatever a given caller is shown.
    /// </summary>
    private static PredictionProfile? FitPredictions(OutputSpec output, ReadOnlySpan<float> outputs, int width, int rows)
    {
        RowPrediction[] served;
        try
        {
            served = OutputHardener.Harden(output, outputs[..(rows * width)], rows, width, includeProbabilities: false);
        }
        catch (InvalidOperationException)
        {
            // A non-finite output: serving would refuse it too. No prediction profile rather than a wrong one.
            return null;
        }

        var positive = output.Task == TrainingTasks.Binary ? output.Classes?[1] : null;
        var scores = served.Select(p => PredictionProfile.ScoreOf(p, output.Task, positive)).OfType<double>().ToArray();
        if (scores.Length == 0)
        {
            return null;
        }

        Array.Sort(scores);
        var classes = output.Classes is { } names && output.Task != TrainingTasks.Regression ? Count("class", names, served.Select(p => p.Label)) : null;
        return new PredictionProfile(output.Task, NumericProfile.Fit("score", scores), classes, positive);
    }

    private static CategoricalProfile Count(string name, IReadOnlyList<string> categories, IEnumerable<string?> values)
    {
        var counts = new Dictionary<string, int>(categories.Count, StringComparer.Ordinal);
        foreach (var category in categories)
        {
            counts[category] = 0;
        }

        var total = 0;
        foreach (var value in values)
        {
            if (value is not null && counts.TryGetValue(value, out var count))
            {
                counts[value] = count + 1;
                total++;
            }
        }

        return new CategoricalProfile(name, total, counts);
    }
}

using Bulwark.Core.Datasets;
using Bulwark.Core.Monitoring;
using Bulwark.Core.Serving;
using Bulwark.Core.Training;

namespace Bulwark.Core.Tests.Monitoring;

/// <summary>Rows of the bundled dataset as the serving parser holds them, and seeded samples for the drift fixtures.</summary>
internal static class MonitoringTestData
{
    /// <summary>The numeric feature values of dataset row <paramref name="index"/>, in schema order.</summary>
    public static double[] Row(LoadedDataset data, FeatureSchema schema, int index) =>
        [.. schema.Features.Select(f => data.Find(f.Name)!.Numbers![index])];

    /// <summary>A validated batch holding <paramref name="rows"/> (numeric features only), as the request parser builds it.</summary>
    public static ParsedBatch Batch(FeatureSchema schema, IReadOnlyList<double[]> rows)
    {
        var batch = new ParsedBatch(schema.Features.Count, hasCategorical: false, Math.Max(1, rows.Count)) { Rows = rows.Count };
        for (var r = 0; r < rows.Count; r++)
        {
            for (var f = 0; f < schema.Features.Count; f++)
            {
                batch.Numeric(r, f) = rows[r][f];
            }
        }

        return batch;
    }

    public static int Index(FeatureSchema schema, string name) => schema.Features.ToList().FindIndex(f => f.Name == name);

    public static ReferenceProfile Profile(TrainedModel model) =>
        ReferenceProfile.Read(model.Files[ReferenceProfile.FileName], model.FeatureSchema, out var problem) ?? throw new InvalidOperationException(problem);

    /// <summary>Standard normal draws (Box–Muller) from a seeded generator, so every run sees the same sample.</summary>
    public static double[] Normal(int seed, int count, double mean = 0, double deviation = 1)
    {
        var random = SeededRandom.Create(seed);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
#pragma warning disable CA5394 // test data, not security
            var u = 1 - random.NextDouble();
            var v = random.NextDouble();
#pragma warning restore CA5394
            values[i] = mean + (deviation * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v));
        }

        return values;
    }

    /// <summary>Draws <paramref name="count"/> categories with the given shares (seeded).</summary>
    public static Dictionary<string, int> Categories(int seed, int count, params (string Name, double Share)[] shares)
    {
        var random = SeededRandom.Create(seed);
        var counts = shares.ToDictionary(s => s.Name, _ => 0, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
#pragma warning disable CA5394 // test data, not security
            var u = random.NextDouble();
#pragma warning restore CA5394
            var pick = shares[^1].Name;
            foreach (var (name, share) in shares)
            {
                if ((u -= share) < 0)
                {
                    pick = name;
                    break;
                }
            }

            counts[pick]++;
        }

        return counts;
    }
}

using System.Security.Cryptography;
using Bulwark.Core.Datasets;
using Bulwark.Core.Training;

namespace Bulwark.Benchmarks;

/// <summary>Trains the benchmark model for real on the bundled dataset, the same way the server does.</summary>
internal static class BenchmarkData
{
    public static string CsvPath { get; } = Locate();

    public static TrainedModel Train(string runtime)
    {
        var bytes = File.ReadAllBytes(CsvPath);
        var digest = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var parsed = DatasetImporter.Parse(System.Text.Encoding.UTF8.GetString(bytes), new DatasetsOptions(), "diagnosis", null, digest);
        if (!parsed.Succeeded)
        {
            throw new InvalidOperationException(parsed.Failure.Detail);
        }

        var trained = ModelTrainer.Train(parsed.Value, new TrainingRequest(Guid.Empty, "diagnosis", Runtime: runtime));
        return trained.Succeeded ? trained.Value : throw new InvalidOperationException(trained.Failure.Detail);
    }

    /// <summary>Rows of the CSV (features only, label dropped), in file order.</summary>
    public static (string[] Header, double[][] Rows) ReadFeatureRows()
    {
        var lines = File.ReadAllLines(CsvPath);
        var header = lines[0].Split(',');
        var label = Array.IndexOf(header, "diagnosis");
        var names = header.Where((_, i) => i != label).ToArray();
        var rows = lines.Skip(1).Where(l => l.Length > 0)
            .Select(l => l.Split(',').Where((_, i) => i != label).Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray())
            .ToArray();
        return (names, rows);
    }

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "data", "breast-cancer-wisconsin.csv");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        var cwd = Path.GetFullPath(Path.Combine("data", "breast-cancer-wisconsin.csv"));
        return File.Exists(cwd) ? cwd : throw new FileNotFoundException("data/breast-cancer-wisconsin.csv not found above the benchmark binaries.");
    }
}

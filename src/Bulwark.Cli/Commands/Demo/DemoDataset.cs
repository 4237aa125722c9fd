using System.Globalization;

namespace Bulwark.Cli.Commands.Demo;

/// <summary>Finds the bundled breast-cancer CSV and builds a sample prediction request from its first row.</summary>
internal static class DemoDataset
{
    public const string RelativePath = "data/breast-cancer-wisconsin.csv";
    public const string Label = "diagnosis";

    /// <summary>The current directory first, then every parent of the executable up to the repository root (Bulwark.slnx).</summary>
    public static string? Locate()
    {
        var fromCwd = Path.GetFullPath(RelativePath);
        if (File.Exists(fromCwd))
        {
            return fromCwd;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, RelativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }

            if (File.Exists(Path.Combine(dir.FullName, "Bulwark.slnx")))
            {
                break;
            }
        }

        return null;
    }

    /// <summary>
    /// <c>{"instances":[{…}]}</c> with the feature values of the first data row, copied verbatim from the file so the
    /// curl line predicts on a real record. The file is plain numeric CSV (no quoting), which a split handles.
    /// </summary>
    public static string FirstRowRequest(string csvPath)
    {
        using var reader = new StreamReader(csvPath);
        var header = reader.ReadLine()?.Split(',') ?? throw new CliUsageException($"'{csvPath}' is empty.");
        var row = reader.ReadLine()?.Split(',') ?? throw new CliUsageException($"'{csvPath}' has no data rows.");
        var fields = new List<string>();
        for (var i = 0; i < header.Length && i < row.Length; i++)
        {
            if (header[i] == Label)
            {
                continue;
            }

            if (!double.TryParse(row[i], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                throw new CliUsageException($"'{csvPath}' row 1 column '{header[i]}' is not a number.");
            }

            fields.Add($"\"{header[i]}\":{row[i]}");
        }

        return "{\"instances\":[{" + string.Join(',', fields) + "}]}";
    }
}

namespace Bulwark.Cli.Tests;

/// <summary>Locates the bundled dataset by walking up from the test binaries to the folder holding Bulwark.slnx.</summary>
internal static class RepositoryData
{
    public static string Root { get; } = FindRoot();

    public static string BreastCancerCsv => Path.Combine(Root, "data", "breast-cancer-wisconsin.csv");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bulwark.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Bulwark.slnx not found above " + AppContext.BaseDirectory);
    }
}

namespace Bulwark.Server.Tests;

/// <summary>Finds files of the repository by walking up from the test binaries to the directory holding Bulwark.slnx.</summary>
internal static class RepositoryPaths
{
    public static string Root
    {
        get
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

    public static string BreastCancerCsv => Path.Combine(Root, "data", "breast-cancer-wisconsin.csv");
}

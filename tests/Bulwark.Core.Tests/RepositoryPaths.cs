namespace Bulwark.Core.Tests;

internal static class RepositoryPaths
{
    /// <summary>The folder holding Bulwark.slnx, found by walking up from the test binaries.</summary>
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

    public static string TestData(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "TestData", .. parts]);
}

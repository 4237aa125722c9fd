namespace Bulwark.Cli.Tests.Demo;

public sealed class DemoGuardTests
{
    [Fact]
    public async Task Demo_DirectoryInitialisedByInit_IsNotTakenOver()
    {
        using var temp = new TempDirectory();
        var dataDir = temp.Combine("real");
        Assert.Equal(0, (await CliRun.ExecuteAsync("init", "--data-dir", dataDir)).Exit);

        var (exit, stdout, stderr) = await CliRun.ExecuteAsync("demo", "--data-dir", dataDir, "--port", "0");

        Assert.Equal(1, exit);
        Assert.Contains("not created by 'bulwark demo'", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("bwk_", stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dataDir, "demo.json")));
    }

    [Fact]
    public async Task Demo_MissingDatasetFile_IsAUsageErrorBeforeAnythingIsCreated()
    {
        using var temp = new TempDirectory();

        var (exit, _, stderr) = await CliRun.ExecuteAsync("demo", "--data-dir", temp.Combine("d"), "--port", "0", "--dataset", temp.Combine("missing.csv"));

        Assert.Equal(1, exit);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("d")));
    }
}

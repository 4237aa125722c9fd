namespace Bulwark.Cli.Tests.Access;

/// <summary><c>bulwark policy test</c>: offline, so CI runs the shipped examples and a broken change fails the build.</summary>
public sealed class PolicyCommandTests
{
    private static string Shipped(string name) => Path.Combine(RepositoryData.Root, "policies", name);

    [Fact]
    public async Task PolicyTest_ShippedExamples_AllPass()
    {
        var (exit, stdout, stderr) = await CliRun.ExecuteAsync("policy", "test", Shipped("examples.tests.yaml"), "--policies", Shipped("examples.yaml"));

        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("All 9 policy tests pass.", stdout, StringComparison.Ordinal);
        Assert.Contains("four-eyes-promotion", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyTest_WithoutThePolicies_TheDenialsFailAndExitIs2()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Path);
        var empty = temp.Combine("none.yaml");
        await File.WriteAllTextAsync(empty, "policies: []\n");

        var (exit, stdout, _) = await CliRun.ExecuteAsync("policy", "test", Shipped("examples.tests.yaml"), "--policies", empty);

        Assert.Equal(2, exit);
        Assert.Contains("4 of 9 policy tests FAIL.", stdout, StringComparison.Ordinal);
        Assert.Contains("expected deny, got allow", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyTest_InvalidPolicyDocument_Exit1WithThePosition()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Path);
        var broken = temp.Combine("broken.yaml");
        await File.WriteAllTextAsync(broken, "policies:\n  - id: x\n    effect: forbid\n    when: principal.id ==\n");

        var (exit, _, stderr) = await CliRun.ExecuteAsync("policy", "test", Shipped("examples.tests.yaml"), "--policies", broken);

        Assert.Equal(1, exit);
        Assert.StartsWith("error: policy.invalid:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyTest_InvalidTestFile_Exit1()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Path);
        var broken = temp.Combine("tests.yaml");
        await File.WriteAllTextAsync(broken, "tests:\n  - name: x\n    expect: maybe\n");

        var (exit, _, stderr) = await CliRun.ExecuteAsync("policy", "test", broken);

        Assert.Equal(1, exit);
        Assert.StartsWith("error: policy-test.invalid:", stderr, StringComparison.Ordinal);
    }
}

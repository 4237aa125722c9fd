namespace Bulwark.Cli.Tests.Access;

/// <summary><c>bulwark policy test</c>: offline, so CI runs the shipped examples and a broken change fails the build.</summary>
public sealed class PolicyCommandTests
{
    private static string Shipped(string name) => Path.Combine(RepositoryData.Root, "policies", name);

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "Access", name);

    [Fact]
    public async Task PolicyTest_InlinePolicies_AllPassWithExpectedAndActualColumns()
    {
        var (exit, stdout, stderr) = await CliRun.ExecuteAsync("policy", "test", Fixture("mfa-for-restricted.tests.yaml"));

        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("All 3 policy tests pass.", stdout, StringComparison.Ordinal);
        Assert.Matches(@"Test\s+│\s+Expected\s+│\s+Actual\s+│\s+Result\s+│\s+Reason", stdout);
        Assert.Matches(@"restricted read without mfa\s+│\s+deny\s+│\s+deny\s+│\s+pass\s+│\s+forbid-policy: restricted-needs-mfa", stdout);
        Assert.Empty(stderr);
    }

    [Fact]
    public async Task PolicyTest_WrongExpectation_RowSaysFailAndExitIs2()
    {
        var (exit, stdout, _) = await CliRun.ExecuteAsync("policy", "test", Fixture("wrong-expectation.tests.yaml"));

        Assert.Equal(2, exit);
        Assert.Matches(@"scientist promotes a model\s+│\s+allow\s+│\s+deny\s+│\s+FAIL\s+│\s+expected allow, got deny", stdout);
        Assert.Contains("1 of 2 policy tests FAIL.", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyTest_PoliciesOption_ReplacesTheInlinePolicies()
    {
        // With --policies the file's own forbid is not in force, so the denial it produced must now fail.
        var (exit, stdout, _) = await CliRun.ExecuteAsync("policy", "test", Fixture("mfa-for-restricted.tests.yaml"), "--policies", Fixture("forbid-promotion.yaml"));

        Assert.Equal(2, exit);
        Assert.Matches(@"restricted read without mfa\s+│\s+deny\s+│\s+allow\s+│\s+FAIL", stdout);
    }

    [Fact]
    public async Task PolicyTest_UnparsablePolicy_Exit1AndTheErrorNamesLineAndColumn()
    {
        var (exit, stdout, stderr) = await CliRun.ExecuteAsync("policy", "test", Fixture("mfa-for-restricted.tests.yaml"), "--policies", Fixture("unparsable.yaml"));

        Assert.Equal(1, exit);
        Assert.StartsWith("error: policy.invalid:", stderr, StringComparison.Ordinal);
        Assert.Contains("line 4, column 11", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("pass", stdout, StringComparison.Ordinal);
    }

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

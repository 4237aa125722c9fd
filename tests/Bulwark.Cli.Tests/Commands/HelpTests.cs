namespace Bulwark.Cli.Tests.Commands;

public sealed class HelpTests
{
    public static TheoryData<string> Verbs() => new()
    {
        "", "init", "serve", "demo", "dataset", "dataset import", "dataset list", "model", "model train", "model import",
        "model list", "model promote", "predict", "key", "key create", "key list", "key revoke", "audit", "audit verify",
        "login", "logout", "whoami", "mfa enrol", "password change", "user create", "user list", "user show", "user disable", "user enable",
        "user delete", "user grant", "user revoke", "user revoke-sessions", "user reset-mfa", "user mfa-code", "project create", "project list",
        "policy get", "policy set", "policy test", "keys", "keys list", "keys rotate", "keys disable", "keys enable", "keys rewrap",
        "keys min-version", "keys destroy", "keys approve-destroy", "keys cancel-destroy",
    };

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task Help_EveryVerb_PrintsUsageAndExitsZero(string verb)
    {
        string[] args = [.. verb.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"];

        var (exit, stdout, stderr) = await CliRun.ExecuteAsync(args);

        Assert.Equal(0, exit);
        Assert.Contains("Usage:", stdout, StringComparison.Ordinal);
        Assert.Empty(stderr);
    }

    [Theory]
    [InlineData("model", "train", "breast-cancer")] // --dataset and --label are required
    [InlineData("dataset", "import", "x.csv", "--name", "n", "--classification", "secret-ish")] // not an allowed classification
    [InlineData("model", "promote", "m", "--version", "1", "--stage", "staging")]
    [InlineData("no-such-verb")]
    public async Task Parse_InvalidCommandLine_ExitsOneWithErrorOnStderr(params string[] args)
    {
        var (exit, _, stderr) = await CliRun.ExecuteAsync(args);

        Assert.Equal(1, exit);
        Assert.StartsWith("error: cli.usage:", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal); // never a stack trace
    }

    [Fact]
    public async Task ClientVerb_WithoutUrl_ExitsOneAndSaysWhatIsMissing()
    {
        Environment.SetEnvironmentVariable("BULWARK_URL", null);

        var (exit, _, stderr) = await CliRun.ExecuteAsync("dataset", "list", "--api-key", "bwk_x");

        Assert.Equal(1, exit);
        Assert.Contains("No server URL", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientVerb_PlainHttpUrl_IsRefused()
    {
        var (exit, _, stderr) = await CliRun.ExecuteAsync("key", "list", "--url", "http://127.0.0.1:1", "--api-key", "bwk_x");

        Assert.Equal(1, exit);
        Assert.Contains("https://", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientVerb_MalformedFingerprint_IsAUsageError()
    {
        var (exit, _, stderr) = await CliRun.ExecuteAsync("key", "list", "--url", "https://127.0.0.1:1", "--api-key", "bwk_x", "--fingerprint", "AB:CD");

        Assert.Equal(1, exit);
        Assert.Contains("SHA-256", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientVerb_NothingListening_ExitsFourWithConnectionError()
    {
        var (exit, _, stderr) = await CliRun.ExecuteAsync("key", "list", "--url", "https://127.0.0.1:1", "--api-key", "bwk_x",
            "--fingerprint", new string('A', 64));

        Assert.Equal(4, exit);
        Assert.StartsWith("error: cli.connection:", stderr, StringComparison.Ordinal);
    }
}

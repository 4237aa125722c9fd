using System.Text.RegularExpressions;

namespace Bulwark.Cli.Tests.Serve;

public sealed partial class ServeCommandTests
{
    [Fact]
    public async Task Serve_InitialisedDirectory_ServesHttpsUntilCancelledThenExitsZero()
    {
        using var temp = new TempDirectory();
        var dataDir = temp.Combine("data");
        var init = await CliRun.ExecuteAsync("init", "--data-dir", dataDir);
        Assert.Equal(0, init.Exit);
        var adminKey = AdminKey().Match(init.Stdout).Groups[1].Value;
        var serve = new CliRun();
        using var stop = new CancellationTokenSource();

        var run = serve.RunAsync(["serve", "--data-dir", dataDir, "--port", "0"], stop.Token);
        var url = await WaitForUrlAsync(serve, run);
        var audit = await CliRun.ExecuteAsync("audit", "verify", "--url", url, "--api-key", adminKey, "--ca-cert", Path.Combine(dataDir, "tls", "cert.pem"));
        await stop.CancelAsync();
        var exit = await run.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(audit.Exit == 0, audit.Stderr);
        Assert.Contains("audit chain valid", audit.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, exit);
        Assert.Contains("Bulwark stopped", serve.Stdout, StringComparison.Ordinal);
        Assert.Matches("SHA-256: ([0-9A-F]{2}:){31}[0-9A-F]{2}", serve.Stdout);
    }

    [Fact]
    public async Task Serve_UninitialisedDirectory_RefusesToStartWithAClearMessage()
    {
        using var temp = new TempDirectory();

        var (exit, _, stderr) = await CliRun.ExecuteAsync("serve", "--data-dir", temp.Combine("nothing"), "--port", "0");

        Assert.NotEqual(0, exit);
        Assert.StartsWith("error: ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    private static async Task<string> WaitForUrlAsync(CliRun serve, Task<int> run)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            var match = ListeningOn().Match(serve.Stdout);
            if (match.Success)
            {
                return match.Groups[1].Value;
            }

            Assert.False(run.IsCompleted, $"serve exited early: {serve.Stderr}");
            await Task.Delay(50, timeout.Token);
        }
    }

    [GeneratedRegex(@"^Admin API key.*\n\s*\n\s+(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex AdminKey();

    [GeneratedRegex(@"listening on (https://\S+)")]
    private static partial Regex ListeningOn();
}


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
        var adminKey = ServeOutput.AdminKey(init.Stdout);
        var serve = new CliRun();
        using var stop = new CancellationTokenSource();

        var run = serve.RunAsync(["serve", "--data-dir", dataDir, "--port", "0"], stop.Token);
        var url = await ServeOutput.WaitForUrlAsync(serve, run);
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
}

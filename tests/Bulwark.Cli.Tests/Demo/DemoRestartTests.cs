using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Bulwark.Cli.Tests.Demo;

public sealed class DemoRestartTests
{
    [Fact]
    public async Task Demo_AsProcess_StopsCleanlyOnSigtermAndReusesItsDirectoryOnRerun()
    {
        using var temp = new TempDirectory();
        var dataDir = temp.Combine("demo");

        // First run: the real executable, stopped by SIGTERM as a service manager would.
        var (exit, firstStdout, firstStderr) = await RunDemoProcessUntilReadyThenTerminateAsync(dataDir);
        Assert.True(exit == 0, $"exit {exit}\n{firstStdout}\n{firstStderr}");
        Assert.Contains("Demo stopped", firstStdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", firstStderr, StringComparison.Ordinal);
        using var first = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dataDir, "demo.json")));
        var adminKey = first.RootElement.GetProperty("adminApiKey").GetString()!;
        Assert.Contains(adminKey, firstStdout, StringComparison.Ordinal);

        // Second run on the same directory: reuses it, no training, no admin key printed.
        var rerun = new CliRun();
        using var stop = new CancellationTokenSource();
        var task = rerun.RunAsync(["demo", "--data-dir", dataDir, "--port", "0", "--dataset", RepositoryData.BreastCancerCsv], stop.Token);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (!rerun.Stdout.Contains("Press Ctrl+C", StringComparison.Ordinal))
        {
            Assert.False(task.IsCompleted, $"rerun exited early: {rerun.Stderr}\n{rerun.Stdout}");
            await Task.Delay(100, timeout.Token);
        }

        Assert.Contains("Reusing", rerun.Stdout, StringComparison.Ordinal);
        Assert.Contains("skipping training", rerun.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("train breast-cancer", rerun.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(adminKey, rerun.Stdout, StringComparison.Ordinal);
        using var second = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dataDir, "demo.json")));
        Assert.Equal(adminKey, second.RootElement.GetProperty("adminApiKey").GetString());
        Assert.Contains(second.RootElement.GetProperty("baseUrl").GetString()!, rerun.Stdout, StringComparison.Ordinal);

        await stop.CancelAsync();
        Assert.Equal(0, await task.WaitAsync(TimeSpan.FromMinutes(1)));
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunDemoProcessUntilReadyThenTerminateAsync(string dataDir)
    {
        var cliDll = Path.Combine(AppContext.BaseDirectory, "Bulwark.Cli.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryData.Root,
        };
        foreach (var arg in new[] { cliDll, "demo", "--data-dir", dataDir, "--port", "0" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            lock (stdout)
            {
                stdout.AppendLine(e.Data);
            }

            if (e.Data?.Contains("Press Ctrl+C", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await Task.WhenAny(ready.Task, process.WaitForExitAsync()).WaitAsync(TimeSpan.FromMinutes(3));
            Assert.False(process.HasExited, $"demo exited early\n{stdout}\n{stderr}");
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
            {
                await kill.WaitForExitAsync();
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        lock (stdout)
        {
            return (process.ExitCode, stdout.ToString(), stderr.ToString());
        }
    }
}

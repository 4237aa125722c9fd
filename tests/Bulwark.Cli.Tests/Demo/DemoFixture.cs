using System.Text.Json;

namespace Bulwark.Cli.Tests.Demo;

/// <summary>
/// One real demo for the whole class: `bulwark demo` in-process on a free port with a temp data dir, the way a user runs
/// it, trained once (training is the slow part). Tests talk to it only over HTTPS.
/// </summary>
public sealed class DemoFixture : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private readonly CancellationTokenSource _stop = new();
    private Task<int>? _run;

    internal CliRun FirstRun { get; } = new();

    public string DataDir => _temp.Combine("demo");

    public string DemoJsonPath => Path.Combine(DataDir, "demo.json");

    public JsonElement DemoJson { get; private set; }

    public int? ExitCode { get; private set; }

    public async Task InitializeAsync()
    {
        _run = FirstRun.RunAsync(["demo", "--data-dir", DataDir, "--port", "0"], _stop.Token);
        DemoJson = await WaitForDemoJsonAsync(DemoJsonPath, _run, FirstRun);
    }

    /// <summary>Stops the demo the way Ctrl+C does (the invocation's token) and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (ExitCode is { } done)
        {
            return done;
        }

        await _stop.CancelAsync();
        ExitCode = await _run!.WaitAsync(TimeSpan.FromMinutes(1));
        return ExitCode.Value;
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
        _temp.Dispose();
    }

    internal static async Task<JsonElement> WaitForDemoJsonAsync(string path, Task<int> run, CliRun output)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (!File.Exists(path))
        {
            if (run.IsCompleted)
            {
                throw new InvalidOperationException($"demo exited with {await run} before writing demo.json.\nstdout:\n{output.Stdout}\nstderr:\n{output.Stderr}");
            }

            await Task.Delay(100, timeout.Token);
        }

        // The summary is printed right after demo.json is renamed into place; wait for it so output assertions are stable.
        while (!output.Stdout.Contains("Press Ctrl+C", StringComparison.Ordinal))
        {
            await Task.Delay(50, timeout.Token);
        }

        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        return doc.RootElement.Clone();
    }
}

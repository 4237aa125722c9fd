using System.CommandLine;

namespace Bulwark.Cli.Commands.Demo;

/// <summary><c>bulwark demo</c>: one command from nothing to a served, signed model (see <see cref="DemoRunner"/>).</summary>
internal static class DemoCommand
{
    public static Command Create(CliConsole console, TimeProvider time)
    {
        var dataDir = new Option<DirectoryInfo>("--data-dir")
        {
            Description = "Throwaway data directory (created on first run, reused afterwards)",
            DefaultValueFactory = _ => new DirectoryInfo(".bulwark-demo"),
        };
        var port = new Option<int>("--port") { Description = "HTTPS port (0 picks a free one)", DefaultValueFactory = _ => 8443 };
        var dataset = new Option<FileInfo?>("--dataset") { Description = $"CSV to import (default: the bundled {DemoDataset.RelativePath})" };
        var runtime = new Option<string>("--runtime") { Description = "Runtime serving the trained model: mlnet or onnx", DefaultValueFactory = _ => "mlnet" };
        runtime.AcceptOnlyFromAmong("mlnet", "onnx");
        var command = new Command("demo", "Initialise a throwaway instance, import the bundled dataset, train, sign, promote and serve it over HTTPS")
        {
            dataDir, port, dataset, runtime,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, () =>
        {
            var csv = parse.GetValue(dataset)?.FullName ?? DemoDataset.Locate()
                ?? throw new CliUsageException($"Cannot find {DemoDataset.RelativePath}; run from the repository root or pass --dataset PATH.");
            if (!File.Exists(csv))
            {
                throw new CliUsageException($"Dataset '{csv}' does not exist.");
            }

            var runner = new DemoRunner(console, time, parse.GetRequiredValue(dataDir).FullName, parse.GetValue(port), csv, parse.GetRequiredValue(runtime));
            return runner.RunAsync(ct);
        }, ct));
        return command;
    }
}

using System.CommandLine;
using System.Globalization;
using Bulwark.Cli.Connection;
using Bulwark.Client.Contracts;
using Spectre.Console;

namespace Bulwark.Cli.Commands.Models;

/// <summary><c>bulwark model feedback|batches|release-batch|discard-batch|evaluate|monitoring|retraining</c>.</summary>
internal static class MonitoringCommands
{
    public static void AddTo(Command model, CliConsole console)
    {
        model.Subcommands.Add(Feedback(console));
        model.Subcommands.Add(Batches(console));
        model.Subcommands.Add(Decide(console, release: true));
        model.Subcommands.Add(Decide(console, release: false));
        model.Subcommands.Add(Evaluate(console));
        model.Subcommands.Add(Reports(console));
        model.Subcommands.Add(Retraining(console));
    }

    private static Command Feedback(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "Model name" };
        var prediction = new Option<Guid>("--prediction") { Description = "The predictionId of the prediction response", Required = true };
        var label = new Option<string>("--label") { Description = "The true class (or value, for regression)", Required = true };
        var row = new Option<int>("--row") { Description = "Row of the request", DefaultValueFactory = _ => 0 };
        var command = new Command("feedback", "Report the true outcome of a served prediction") { name, prediction, label, row };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var receipt = await client.SubmitFeedbackAsync(parse.GetRequiredValue(name),
                new FeedbackRequest(parse.GetValue(prediction), parse.GetRequiredValue(label), parse.GetValue(row)), ct);
            console.Out.WriteLine(TerminalText.Sanitize($"Feedback {receipt.Id} {receipt.State}"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Batches(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "Model name" };
        var command = new Command("batches", "List feedback batches and what the poisoning guard decided") { name };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var table = new Table().AddColumns("Batch", "State", "Labels", "Sources", "Top share", "Last label");
            foreach (var b in await client.ListFeedbackBatchesAsync(parse.GetRequiredValue(name), ct))
            {
                table.AddRow(b.Batch.ToString("D"), TerminalText.Cell(b.State), b.Labels.ToString(CultureInfo.InvariantCulture),
                    b.Principals.ToString(CultureInfo.InvariantCulture), b.TopShare.ToString("P0", CultureInfo.InvariantCulture), b.LastAt.ToString("u", CultureInfo.InvariantCulture));
            }

            console.Ansi.Write(table);
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Decide(CliConsole console, bool release)
    {
        var name = new Argument<string>("NAME") { Description = "Model name" };
        var batch = new Option<Guid>("--batch") { Description = "Batch id", Required = true };
        var command = new Command(release ? "release-batch" : "discard-batch",
            release ? "Let a held feedback batch count (not by its main source)" : "Drop a held feedback batch for good") { name, batch };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var decision = await client.DecideFeedbackBatchAsync(parse.GetRequiredValue(name), parse.GetValue(batch), release, ct);
            console.Out.WriteLine(TerminalText.Sanitize($"Batch {decision.Batch} {decision.State} ({decision.Labels} labels)"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Evaluate(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "Model name" };
        var command = new Command("evaluate", "Evaluate the production version now (live metrics and drift); exit code 2 on an alert") { name };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var report = await client.EvaluateModelAsync(parse.GetRequiredValue(name), ct);
            WriteReport(console, report);
            return report.Status == "alert" ? ExitCodes.VerificationFailed : ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Reports(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "Model name" };
        var command = new Command("monitoring", "Show the evaluation history of a model") { name };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var table = new Table().AddColumns("Window end", "Version", "Status", "Rows", "Labels");
            foreach (var r in await client.ListMonitoringReportsAsync(parse.GetRequiredValue(name), ct))
            {
                table.AddRow(r.WindowEnd.ToString("u", CultureInfo.InvariantCulture), r.Version.ToString(CultureInfo.InvariantCulture), TerminalText.Cell(r.Status),
                    r.Rows.ToString(CultureInfo.InvariantCulture), r.Labels.ToString(CultureInfo.InvariantCulture));
            }

            console.Ansi.Write(table);
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Retraining(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "Model name" };
        var command = new Command("retraining", "Show the retraining runs the policy started") { name };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var table = new Table().AddColumns("At", "Trigger", "State", "Version", "Detail");
            foreach (var r in await client.ListRetrainingRunsAsync(parse.GetRequiredValue(name), ct))
            {
                table.AddRow(r.At.ToString("u", CultureInfo.InvariantCulture), TerminalText.Cell(r.Trigger), TerminalText.Cell(r.State),
                    r.Version?.ToString(CultureInfo.InvariantCulture) ?? "-", TerminalText.Cell(r.Detail ?? ""));
            }

            console.Ansi.Write(table);
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static void WriteReport(CliConsole console, MonitoringReportInfo report)
    {
        console.Out.WriteLine(TerminalText.Sanitize($"Version {report.Version}: {report.Status} ({report.Rows} rows, {report.Labels} labels, window from {report.WindowStart:u})"));
        foreach (var section in new[] { "alerts", "notes" })
        {
            if (report.Findings.TryGetProperty(section, out var items))
            {
                foreach (var item in items.EnumerateArray())
                {
                    console.Out.WriteLine(TerminalText.Sanitize($"  {section[..^1]}: {item.GetString()}"));
                }
            }
        }
    }
}

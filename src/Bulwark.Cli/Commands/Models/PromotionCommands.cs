using System.CommandLine;
using System.Globalization;
using Bulwark.Cli.Connection;
using Bulwark.Client.Contracts;
using Spectre.Console;

namespace Bulwark.Cli.Commands.Models;

/// <summary><c>bulwark model approve|approvals|gates|rollback|releases</c>: the promotion workflow.</summary>
internal static class PromotionCommands
{
    public static void AddTo(Command model, CliConsole console)
    {
        model.Subcommands.Add(Approve(console));
        model.Subcommands.Add(Approvals(console));
        model.Subcommands.Add(Gates(console));
        model.Subcommands.Add(Rollback(console));
        model.Subcommands.Add(Releases(console));
    }

    private static Command Approve(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "Model name" };
        var version = new Option<int>("--version") { Description = "Version number", Required = true };
        var comment = new Option<string?>("--comment") { Description = "Reviewer's note (recorded and audited)" };
        var command = new Command("approve", "Approve a version for production (four eyes: not by whoever trained or imported it)") { name, version, comment };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var approval = await client.ApproveAsync(parse.GetRequiredValue(name), parse.GetValue(version), new ApproveRequest(parse.GetValue(comment)), ct);
            console.Out.WriteLine(TerminalText.Sanitize($"Approved {parse.GetRequiredValue(name)} version {parse.GetValue(version)} as {approval.Accountable}"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Approvals(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "Model name" };
        var version = new Option<int>("--version") { Description = "Version number", Required = true };
        var command = new Command("approvals", "List the approvals of a version") { name, version };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var table = new Table().AddColumns("Approver", "Counts as", "At", "Comment");
            foreach (var a in await client.ListApprovalsAsync(parse.GetRequiredValue(name), parse.GetValue(version), ct))
            {
                table.AddRow(TerminalText.Cell(a.Principal), TerminalText.Cell(a.Accountable), a.At.ToString("u", CultureInfo.InvariantCulture), TerminalText.Cell(a.Comment ?? ""));
            }

            console.Ansi.Write(table);
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Gates(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "Model name" };
        var version = new Option<int>("--version") { Description = "Version number", Required = true };
        var command = new Command("gates", "Evaluate the model's promotion gates for a version (dry run; exit code 2 when one fails)") { name, version };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var report = await client.EvaluateGatesAsync(parse.GetRequiredValue(name), parse.GetValue(version), ct);
            var table = new Table().AddColumns("Gate", "Result", "Detail");
            foreach (var r in report.Results)
            {
                table.AddRow(TerminalText.Cell(r.Gate), r.Passed ? "pass" : "FAIL", TerminalText.Cell(r.Detail));
            }

            console.Ansi.Write(table);
            console.Out.WriteLine(report.Results.Count == 0 ? "No gates are configured for this model." : report.Passed ? "All gates pass." : "A gate fails: promotion would be refused.");
            return report.Passed ? ExitCodes.Success : ExitCodes.VerificationFailed;
        }, ct));
        return command;
    }

    private static Command Rollback(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "Model name" };
        var reason = new Option<string>("--reason") { Description = "Why (audited)", Required = true };
        var command = new Command("rollback", "Put the previous production version back in production") { name, reason };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var info = await client.RollbackAsync(parse.GetRequiredValue(name), new RollbackRequest(parse.GetRequiredValue(reason)), ct);
            console.Out.WriteLine(TerminalText.Sanitize($"{info.Model} version {info.Version} is in production again"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Releases(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "Model name" };
        var command = new Command("releases", "Show the release record: which version production was approved to be, and when") { name };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var table = new Table().AddColumns("#", "Action", "Version", "Root digest", "By", "At");
            foreach (var r in await client.ListReleasesAsync(parse.GetRequiredValue(name), ct))
            {
                table.AddRow(r.Sequence.ToString(CultureInfo.InvariantCulture), TerminalText.Cell(r.Action), r.Version?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    TerminalText.Cell(r.RootDigest is { Length: > 19 } d ? d[..19] + "…" : r.RootDigest ?? "-"), TerminalText.Cell(r.By), r.At.ToString("u", CultureInfo.InvariantCulture));
            }

            console.Ansi.Write(table);
            return ExitCodes.Success;
        }, ct));
        return command;
    }
}

using System.CommandLine;
using System.Globalization;
using Bulwark.Cli.Connection;
using Bulwark.Client.Contracts;
using Spectre.Console;

namespace Bulwark.Cli.Commands.Models;

/// <summary><c>bulwark model challenger set|show|clear</c>: champion / challenger.</summary>
internal static class ChallengerCommands
{
    public static void AddTo(Command model, CliConsole console)
    {
        var challenger = new Command("challenger", "Route a share of a model's traffic to a newer version, or score it in shadow, and compare them");
        challenger.Subcommands.Add(Set(console));
        challenger.Subcommands.Add(Show(console));
        challenger.Subcommands.Add(Clear(console));
        model.Subcommands.Add(challenger);
    }

    private static Command Set(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "Model name" };
        var version = new Option<int>("--version") { Description = "The challenger version (staged or candidate, newer than production)", Required = true };
        var share = new Option<double?>("--share") { Description = "Fraction of production traffic it answers, e.g. 0.1 (split mode)" };
        var shadow = new Option<bool>("--shadow") { Description = "Score a copy of every request in the background instead; callers always get the champion" };
        var command = new Command("set", "Set the model's challenger (models:promote, signed in with a second factor)") { name, version, share, shadow };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var isShadow = parse.GetValue(shadow);
            if (isShadow == parse.GetValue(share) is not null)
            {
                console.Error.WriteLine("Give either --share (split mode) or --shadow.");
                return ExitCodes.Usage;
            }

            using var client = connection.CreateClient(parse);
            var info = await client.SetChallengerAsync(parse.GetRequiredValue(name),
                new ChallengerRequest(parse.GetValue(version), isShadow ? "shadow" : "split", parse.GetValue(share)), ct);
            Write(console, info);
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Show(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "Model name" };
        var command = new Command("show", "Show the challenger, whether it takes traffic, and its live metrics against the champion") { name };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            Write(console, await client.GetChallengerAsync(parse.GetRequiredValue(name), ct));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Clear(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "Model name" };
        var command = new Command("clear", "Clear the challenger: all traffic goes to the champion again") { name };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            await client.ClearChallengerAsync(parse.GetRequiredValue(name), ct);
            console.Out.WriteLine(TerminalText.Sanitize($"{parse.GetRequiredValue(name)} has no challenger"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static void Write(CliConsole console, ChallengerInfo info)
    {
        console.Out.WriteLine(TerminalText.Sanitize($"Champion: {(info.Champion is { } v ? "version " + v.ToString(CultureInfo.InvariantCulture) : "none")}"));
        if (info.Challenger is not { } c)
        {
            console.Out.WriteLine("No challenger is set.");
            return;
        }

        var how = c.Mode == "shadow" ? "shadow" : $"split, {c.Share.ToString("P0", CultureInfo.InvariantCulture)} of traffic";
        console.Out.WriteLine(TerminalText.Sanitize($"Challenger: version {c.Version} ({how}), set by {c.SetBy} at {c.SetAt.ToString("u", CultureInfo.InvariantCulture)}"));
        console.Out.WriteLine(TerminalText.Sanitize(c.Active ? "It takes traffic." : $"It takes no traffic: {c.InactiveReason}."));
        if (info.Comparison is not { } m)
        {
            return;
        }

        var table = new Table().AddColumns("", "Version", "Labels", m.Metric == "rmse" ? "RMSE" : "Accuracy", m.Metric == "rmse" ? "MAE" : "Macro F1");
        foreach (var (side, arm) in new[] { ("champion", m.Champion), ("challenger", m.Challenger) })
        {
            var (first, second) = m.Metric == "rmse" ? (arm.Rmse, arm.Mae) : (arm.Accuracy, arm.F1);
            table.AddRow(side, arm.Version.ToString(CultureInfo.InvariantCulture), arm.Labels.ToString(CultureInfo.InvariantCulture),
                first?.ToString("0.####", CultureInfo.InvariantCulture) ?? "-", second?.ToString("0.####", CultureInfo.InvariantCulture) ?? "-");
        }

        console.Ansi.Write(table);
        console.Out.WriteLine(TerminalText.Sanitize(m.Better is { } better ? $"Better so far: {better} ({m.Note})." : $"No verdict yet: {m.Note}."));
    }
}

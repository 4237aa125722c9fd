using System.CommandLine;
using System.Globalization;
using Bulwark.Cli.Connection;
using Bulwark.Client.Contracts;
using Spectre.Console;

namespace Bulwark.Cli.Commands.BreakGlass;

/// <summary><c>bulwark break-glass start|end|list</c>: emergency access (HIPAA §164.312(a)(2)(ii)).</summary>
internal static class BreakGlassCommands
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("break-glass", "Emergency access: start a time-boxed elevation in one project, end it, list sessions");
        command.Subcommands.Add(Start(console));
        command.Subcommands.Add(End(console));
        command.Subcommands.Add(List(console));
        return command;
    }

    private static Command Start(CliConsole console)
    {
        var reason = new Option<string>("--reason") { Description = "Why emergency access is needed (mandatory; recorded and reviewed)", Required = true };
        var minutes = new Option<int?>("--minutes") { Description = "How long, in minutes (default and upper bound: the instance's maximum, 60 unless configured)" };
        var command = new Command("start", "Start break-glass access in the project (--project); needs a session signed in with MFA") { reason, minutes };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var session = await client.StartBreakGlassAsync(new BreakGlassStartRequest(parse.GetRequiredValue(reason), parse.GetValue(minutes)), ct);
            console.Out.WriteLine(TerminalText.Sanitize(string.Create(CultureInfo.InvariantCulture,
                $"break-glass {session.Id} active in project {session.Project} until {session.ExpiresAt:u}: {string.Join(' ', session.Permissions)}")));
            console.Out.WriteLine("every request is audited and a security incident has been raised; end it as soon as you are done: bulwark break-glass end " + session.Id);
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command End(CliConsole console)
    {
        var id = new Argument<string>("id") { Description = "The session id (from start or list)" };
        var command = new Command("end", "End a break-glass session now (your own; security officers any)") { id };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var session = await client.EndBreakGlassAsync(parse.GetRequiredValue(id), ct);
            console.Out.WriteLine(TerminalText.Sanitize(string.Create(CultureInfo.InvariantCulture,
                $"break-glass {session.Id} ended at {session.EndedAt:u} after {session.Requests} requests")));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command List(CliConsole console)
    {
        var active = new Option<bool>("--active") { Description = "Only sessions still in force" };
        var command = new Command("list", "Break-glass sessions, newest first (security officers, auditors, admins)") { active };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var table = new Table().AddColumns("Id", "Login", "Project", "Started", "Expires", "State", "Requests", "Reason");
            foreach (var s in await client.ListBreakGlassAsync(parse.GetValue(active), ct))
            {
                var state = s.Active ? "ACTIVE" : s.EndedBy == "expiry" ? "expired" : "ended by " + s.EndedBy;
                table.AddRow(TerminalText.Cell(s.Id), TerminalText.Cell(s.Login), TerminalText.Cell(s.Project), s.StartedAt.ToString("u", CultureInfo.InvariantCulture),
                    s.ExpiresAt.ToString("u", CultureInfo.InvariantCulture), TerminalText.Cell(state), s.Requests.ToString(CultureInfo.InvariantCulture), TerminalText.Cell(s.Reason));
            }

            console.Ansi.Write(table);
            return ExitCodes.Success;
        }, ct));
        return command;
    }
}

using System.CommandLine;
using System.Globalization;
using Bulwark.Cli.Connection;
using Bulwark.Client;
using Bulwark.Client.Contracts;
using Spectre.Console;

namespace Bulwark.Cli.Commands.Identity;

/// <summary><c>bulwark user create|list|disable|enable|delete|grant|revoke-sessions</c>.</summary>
internal static class UserCommands
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("user", "Manage users (needs users:manage)");
        command.Subcommands.Add(CreateUser(console));
        command.Subcommands.Add(List(console));
        command.Subcommands.Add(SetEnabled(console, enabled: false));
        command.Subcommands.Add(SetEnabled(console, enabled: true));
        command.Subcommands.Add(Delete(console));
        command.Subcommands.Add(Grant(console));
        command.Subcommands.Add(RevokeSessions(console));
        command.Subcommands.Add(MfaCode(console));
        return command;
    }

    private static Command CreateUser(CliConsole console)
    {
        var login = new Option<string>("--login") { Description = "Login name", Required = true };
        var name = new Option<string>("--name") { Description = "Display name", Required = true };
        var clearance = new Option<string?>("--clearance") { Description = "public, internal (default), confidential or restricted" };
        var roles = new Option<string[]>("--role") { Description = "project:role (repeatable), e.g. default:data-scientist or *:auditor" };
        var stdin = new Option<bool>("--password-stdin") { Description = $"Read the initial password from stdin (else env {Secrets.PasswordVariable}, else a prompt)" };
        var command = new Command("create", "Create a user") { login, name, clearance, roles, stdin };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var grants = (parse.GetValue(roles) ?? []).Select(ParseGrant).ToList();
            var password = Secrets.ReadPassword(console, parse.GetValue(stdin), "Initial password:");
            using var client = connection.CreateClient(parse);
            try
            {
                var created = await client.CreateUserAsync(new CreateUserRequest(parse.GetRequiredValue(login), parse.GetRequiredValue(name), password,
                    parse.GetValue(clearance), grants), ct);
                console.Out.WriteLine(TerminalText.Sanitize($"Created user {created.User.Login} ({string.Join(' ', created.User.Roles.Select(r => r.Project + ":" + r.Role))})"));
                foreach (var warning in created.Warnings)
                {
                    console.Error.WriteLine(TerminalText.Sanitize("warning: " + warning));
                }

                return ExitCodes.Success;
            }
            catch (BulwarkApiException ex) when (PasswordFeedback.TryWrite(console, ex))
            {
                return ExitCodes.ApiError;
            }
        }, ct));
        return command;
    }

    private static Command List(CliConsole console)
    {
        var command = new Command("list", "List users");
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var table = new Table().AddColumns("Login", "Name", "Status", "Clearance", "MFA", "Roles", "Last sign-in");
            foreach (var u in await client.ListUsersAsync(ct))
            {
                table.AddRow(TerminalText.Cell(u.Login), TerminalText.Cell(u.DisplayName), u.Status, u.Clearance, u.MfaEnrolled ? "yes" : "no",
                    TerminalText.Cell(string.Join(' ', u.Roles.Select(r => r.Project + ":" + r.Role))),
                    u.LastLoginAt?.ToString("u", CultureInfo.InvariantCulture) ?? "-");
            }

            console.Ansi.Write(table);
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command SetEnabled(CliConsole console, bool enabled)
    {
        var login = new Argument<string>("login") { Description = "Login name" };
        var command = new Command(enabled ? "enable" : "disable", enabled ? "Enable a user" : "Disable a user (signs it out everywhere at once)") { login };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var user = await client.SetUserEnabledAsync(parse.GetRequiredValue(login), enabled, ct);
            console.Out.WriteLine(TerminalText.Sanitize($"{user.Login}: {user.Status}"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Delete(CliConsole console)
    {
        var login = new Argument<string>("login") { Description = "Login name" };
        var command = new Command("delete", "Delete a user") { login };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            await client.DeleteUserAsync(parse.GetRequiredValue(login), ct);
            console.Out.WriteLine(TerminalText.Sanitize($"Deleted {parse.GetRequiredValue(login)}"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Grant(CliConsole console)
    {
        var login = new Argument<string>("login") { Description = "Login name" };
        var role = new Option<string>("--role") { Description = "project:role, e.g. fraud:ml-engineer", Required = true };
        var command = new Command("grant", "Grant a role in a project") { login, role };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var user = await client.GrantRoleAsync(parse.GetRequiredValue(login), ParseGrant(parse.GetRequiredValue(role)), ct);
            console.Out.WriteLine(TerminalText.Sanitize($"{user.Login}: {string.Join(' ', user.Roles.Select(r => r.Project + ":" + r.Role))}"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command RevokeSessions(CliConsole console)
    {
        var login = new Argument<string>("login") { Description = "Login name" };
        var command = new Command("revoke-sessions", "End every session of a user (effective on its next request)") { login };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            await client.RevokeUserSessionsAsync(parse.GetRequiredValue(login), ct);
            console.Out.WriteLine(TerminalText.Sanitize($"Revoked every session of {parse.GetRequiredValue(login)}"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command MfaCode(CliConsole console)
    {
        var login = new Argument<string>("login") { Description = "Login name" };
        var command = new Command("mfa-code", "Issue a one-time MFA enrolment code for a user (deliver it to them out of band)") { login };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var issued = await client.IssueMfaEnrolmentCodeAsync(parse.GetRequiredValue(login), ct);
            console.Out.WriteLine(TerminalText.Sanitize($"Enrolment code for {issued.Login} (one use, until {issued.ExpiresAt.ToString("u", CultureInfo.InvariantCulture)}):"));
            console.Out.WriteLine(TerminalText.Sanitize("  " + issued.Code));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static RoleGrant ParseGrant(string text)
    {
        var colon = text.LastIndexOf(':');
        return colon <= 0 || colon == text.Length - 1
            ? throw new CliUsageException($"'{text}' is not project:role (e.g. default:data-scientist, *:auditor).")
            : new RoleGrant(text[..colon], text[(colon + 1)..]);
    }
}

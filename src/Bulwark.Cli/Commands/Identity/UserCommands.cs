using System.CommandLine;
using System.Globalization;
using Bulwark.Cli.Connection;
using Bulwark.Client;
using Bulwark.Client.Contracts;
using Spectre.Console;

namespace Bulwark.Cli.Commands.Identity;

/// <summary><c>bulwark user create|list|show|disable|enable|delete|grant|revoke|revoke-sessions|reset-mfa|mfa-code</c> (instance-wide: no <c>Bulwark-Project</c> header).</summary>
internal static class UserCommands
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("user", "Manage users (needs users:manage)");
        command.Subcommands.Add(CreateUser(console));
        command.Subcommands.Add(List(console));
        command.Subcommands.Add(Show(console));
        command.Subcommands.Add(SetEnabled(console, enabled: false));
        command.Subcommands.Add(SetEnabled(console, enabled: true));
        command.Subcommands.Add(Delete(console));
        command.Subcommands.Add(ChangeRole(console, grant: true));
        command.Subcommands.Add(ChangeRole(console, grant: false));
        command.Subcommands.Add(RevokeSessions(console));
        command.Subcommands.Add(ResetMfa(console));
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
        var command = new Command("create", "Create a user; a refused password is explained with its strength and advice") { login, name, clearance, roles, stdin };
        var connection = ConnectionOptions.AddTo(command, withProject: false);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var grants = (parse.GetValue(roles) ?? []).Select(ParseGrant).ToList();
            var password = Secrets.ReadPassword(console, parse.GetValue(stdin), "Initial password:");
            using var client = connection.CreateClient(parse);
            try
            {
                var created = await client.CreateUserAsync(new CreateUserRequest(parse.GetRequiredValue(login), parse.GetRequiredValue(name), password,
                    parse.GetValue(clearance), grants), ct);
                console.Out.WriteLine(TerminalText.Sanitize($"Created user {created.User.Login} ({Roles(created.User)})"));
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
        var connection = ConnectionOptions.AddTo(command, withProject: false);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var table = new Table().AddColumns("Login", "Name", "Status", "Clearance", "MFA", "Roles", "Last sign-in");
            foreach (var u in await client.ListUsersAsync(ct))
            {
                table.AddRow(TerminalText.Cell(u.Login), TerminalText.Cell(u.DisplayName), TerminalText.Cell(u.Status), TerminalText.Cell(u.Clearance), u.MfaEnrolled ? "yes" : "no",
                    TerminalText.Cell(Roles(u)),
                    u.LastLoginAt?.ToString("u", CultureInfo.InvariantCulture) ?? "-");
            }

            console.Ansi.Write(table);
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Show(CliConsole console) =>
        ForLogin(console, "show", "Show one user: status, clearance, MFA and roles", async (client, login, ct) =>
        {
            var u = await client.GetUserAsync(login, ct);
            return string.Join('\n',
                $"{u.Login} ({u.DisplayName})",
                $"status: {u.Status}",
                $"clearance: {u.Clearance}",
                $"mfa: {(u.MfaEnrolled ? "enrolled" : "not enrolled")}",
                $"roles: {Roles(u)}",
                $"created: {u.CreatedAt.ToString("u", CultureInfo.InvariantCulture)}",
                $"last sign-in: {u.LastLoginAt?.ToString("u", CultureInfo.InvariantCulture) ?? "-"}");
        });

    private static Command SetEnabled(CliConsole console, bool enabled) =>
        ForLogin(console, enabled ? "enable" : "disable", enabled ? "Enable a user" : "Disable a user (signs it out everywhere at once)", async (client, login, ct) =>
        {
            var user = await client.SetUserEnabledAsync(login, enabled, ct);
            return $"{user.Login}: {user.Status}";
        });

    private static Command Delete(CliConsole console) =>
        ForLogin(console, "delete", "Delete a user", async (client, login, ct) =>
        {
            await client.DeleteUserAsync(login, ct);
            return $"Deleted {login}";
        });

    private static Command RevokeSessions(CliConsole console) =>
        ForLogin(console, "revoke-sessions", "End every session of a user (effective on its next request)", async (client, login, ct) =>
        {
            await client.RevokeUserSessionsAsync(login, ct);
            return $"Revoked every session of {login}";
        });

    private static Command ResetMfa(CliConsole console) =>
        ForLogin(console, "reset-mfa", "Remove a user's second factor (lost phone) so it can enrol again; needs your session signed in with MFA", async (client, login, ct) =>
        {
            var user = await client.ResetUserMfaAsync(login, ct);
            return $"{user.Login}: MFA reset; privileged roles stay inactive until the user enrols again (issue a code with 'bulwark user mfa-code {user.Login}')";
        });

    private static Command MfaCode(CliConsole console) =>
        ForLogin(console, "mfa-code", "Issue a one-time MFA enrolment code for a user (deliver it to them out of band)", async (client, login, ct) =>
        {
            var issued = await client.IssueMfaEnrolmentCodeAsync(login, ct);
            return $"Enrolment code for {issued.Login} (one use, until {issued.ExpiresAt.ToString("u", CultureInfo.InvariantCulture)}):\n  {issued.Code}";
        });

    /// <summary><c>grant</c> and <c>revoke</c>: <c>LOGIN --project P --role R</c> (or the short <c>--role P:R</c>).</summary>
    private static Command ChangeRole(CliConsole console, bool grant)
    {
        var login = new Argument<string>("login") { Description = "Login name" };
        var project = new Option<string?>("--project") { Description = "Project of the role; * = every project" };
        var role = new Option<string>("--role") { Description = "Role name, e.g. ml-engineer (or project:role without --project)", Required = true };
        var command = new Command(grant ? "grant" : "revoke", grant ? "Grant a role in a project" : "Take a role in a project away") { login, project, role };
        var connection = ConnectionOptions.AddTo(command, withProject: false);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var roleText = parse.GetRequiredValue(role);
            var target = parse.GetValue(project) is { Length: > 0 } p ? new RoleGrant(p, roleText) : ParseGrant(roleText);
            using var client = connection.CreateClient(parse);
            var who = parse.GetRequiredValue(login);
            if (grant)
            {
                var user = await client.GrantRoleAsync(who, target, ct);
                console.Out.WriteLine(TerminalText.Sanitize($"{user.Login}: {Roles(user)}"));
            }
            else
            {
                await client.RevokeRoleAsync(who, target, ct);
                console.Out.WriteLine(TerminalText.Sanitize($"{who}: no longer {target.Role} in {target.Project}"));
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    /// <summary>A verb on one user: <c>bulwark user VERB LOGIN</c>; the body returns what to print.</summary>
    private static Command ForLogin(CliConsole console, string name, string description, Func<BulwarkClient, string, CancellationToken, Task<string>> body)
    {
        var login = new Argument<string>("login") { Description = "Login name" };
        var command = new Command(name, description) { login };
        var connection = ConnectionOptions.AddTo(command, withProject: false);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var text = await body(client, parse.GetRequiredValue(login), ct);
            foreach (var line in text.Split('\n'))
            {
                console.Out.WriteLine(TerminalText.Sanitize(line));
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static string Roles(UserInfo user) => user.Roles.Count == 0 ? "-" : string.Join(' ', user.Roles.Select(r => r.Project + ":" + r.Role));

    private static RoleGrant ParseGrant(string text)
    {
        var colon = text.LastIndexOf(':');
        return colon <= 0 || colon == text.Length - 1
            ? throw new CliUsageException($"'{text}' is not project:role (e.g. default:data-scientist, *:auditor).")
            : new RoleGrant(text[..colon], text[(colon + 1)..]);
    }
}

using System.CommandLine;
using Bulwark.Cli.Connection;
using Bulwark.Client;
using Bulwark.Client.Contracts;

namespace Bulwark.Cli.Commands.Identity;

/// <summary><c>bulwark password change</c> for the signed-in user.</summary>
internal static class PasswordCommands
{
    public const string NewPasswordVariable = "BULWARK_NEW_PASSWORD";

    public static Command Create(CliConsole console)
    {
        var command = new Command("password", "Your own password");
        command.Subcommands.Add(Change(console));
        return command;
    }

    private static Command Change(CliConsole console)
    {
        var stdin = new Option<bool>("--password-stdin")
        {
            Description = $"Read the current password, then the new one, as two lines from stdin (else env {Secrets.PasswordVariable} and {NewPasswordVariable}, else prompts)",
        };
        var command = new Command("change", "Change the password of the signed-in user; a refused password is explained with its strength and advice") { stdin };
        var connection = ConnectionOptions.AddTo(command, withProject: false);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var fromStdin = parse.GetValue(stdin);
            var current = Secrets.ReadPassword(console, fromStdin, "Current password:");
            var replacement = fromStdin
                ? console.In.ReadLine() ?? throw new CliUsageException("--password-stdin needs two lines: the current password, then the new one.")
                : Environment.GetEnvironmentVariable(NewPasswordVariable) is { Length: > 0 } fromEnvironment
                    ? fromEnvironment
                    : ReadNewPasswordInteractively(console);
            using var client = connection.CreateClient(parse);
            try
            {
                await client.ChangePasswordAsync(new ChangePasswordRequest(current, replacement), ct);
            }
            catch (BulwarkApiException ex) when (PasswordFeedback.TryWrite(console, ex))
            {
                return ExitCodes.ApiError;
            }

            console.Out.WriteLine("Password changed. Other sessions keep working until they expire; end them with 'bulwark user revoke-sessions' if the old password leaked.");
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static string ReadNewPasswordInteractively(CliConsole console)
    {
        var first = Secrets.ReadPassword(console, fromStdin: false, "New password:", useEnvironment: false);
        var again = Secrets.ReadPassword(console, fromStdin: false, "New password again:", useEnvironment: false);
        return string.Equals(first, again, StringComparison.Ordinal) ? first : throw new CliUsageException("The two new passwords differ; nothing was changed.");
    }
}

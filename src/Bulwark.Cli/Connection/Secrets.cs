using Spectre.Console;

namespace Bulwark.Cli.Connection;

/// <summary>Reads a secret without putting it on the command line (where other users can see it in the process list).</summary>
internal static class Secrets
{
    public const string PasswordVariable = "BULWARK_PASSWORD";

    /// <summary>From stdin (first line) with <paramref name="fromStdin"/>, else the environment, else a prompt without echo.</summary>
    public static string ReadPassword(CliConsole console, bool fromStdin, string prompt, bool useEnvironment = true)
    {
        if (fromStdin)
        {
            return console.In.ReadLine() ?? throw new CliUsageException("--password-stdin was given but stdin is empty.");
        }

        if (useEnvironment && Environment.GetEnvironmentVariable(PasswordVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        if (!console.Ansi.Profile.Capabilities.Interactive)
        {
            throw new CliUsageException($"No password: pipe it with --password-stdin or set {PasswordVariable}.");
        }

        return console.Ansi.Prompt(new TextPrompt<string>(prompt).Secret());
    }

    public static string ReadCode(CliConsole console, string? given, string prompt)
    {
        if (!string.IsNullOrWhiteSpace(given))
        {
            return given.Trim();
        }

        if (!console.Ansi.Profile.Capabilities.Interactive)
        {
            throw new CliUsageException("This account uses MFA: pass --code with the current code from the authenticator (or a recovery code).");
        }

        return console.Ansi.Prompt(new TextPrompt<string>(prompt));
    }
}

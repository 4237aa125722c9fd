using System.CommandLine;
using System.CommandLine.Help;
using Bulwark.Cli.Commands.Access;
using Bulwark.Cli.Commands.Audit;
using Bulwark.Cli.Commands.Datasets;
using Bulwark.Cli.Commands.Demo;
using Bulwark.Cli.Commands.Identity;
using Bulwark.Cli.Commands.Incidents;
using Bulwark.Cli.Commands.Init;
using Bulwark.Cli.Commands.Keys;
using Bulwark.Cli.Commands.Models;
using Bulwark.Cli.Commands.Predictions;
using Bulwark.Cli.Commands.Privacy;
using Bulwark.Cli.Commands.Projects;
using Bulwark.Cli.Commands.Serve;

namespace Bulwark.Cli;

/// <summary>The <c>bulwark</c> command tree. Server verbs (init, serve, demo) run locally; every other verb is an HTTPS client.</summary>
internal static class CliApp
{
    /// <summary>How long a SIGINT/SIGTERM waits for a clean shutdown before the process is ended anyway.</summary>
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(15);

    public static Command BuildRootCommand(CliConsole console, TimeProvider time)
    {
        // A named root instead of RootCommand: RootCommand takes its name from the entry assembly ("Bulwark.Cli"),
        // but users type "bulwark" and help should say so.
        var root = new Command("bulwark", "Bulwark: train, sign and serve ML models behind an authenticated, audited HTTPS API.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        root.Subcommands.Add(InitCommand.Create(console));
        root.Subcommands.Add(ServeCommand.Create(console));
        root.Subcommands.Add(DemoCommand.Create(console, time));
        root.Subcommands.Add(DatasetCommands.Create(console));
        root.Subcommands.Add(ModelCommands.Create(console));
        root.Subcommands.Add(PredictCommand.Create(console));
        root.Subcommands.Add(KeyCommands.Create(console, time));
        root.Subcommands.Add(KeyRingCommands.Create(console));
        root.Subcommands.Add(AuditCommands.Create(console));
        root.Subcommands.Add(IncidentCommands.Create(console));
        root.Subcommands.Add(IncidentCommands.CreateEvidence(console));
        root.Subcommands.Add(ContainCommands.Create(console));
        foreach (var command in AuthCommands.Create(console))
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(PasswordCommands.Create(console));
        root.Subcommands.Add(UserCommands.Create(console));
        root.Subcommands.Add(ProjectCommands.Create(console));
        root.Subcommands.Add(PolicyCommands.Create(console));
        root.Subcommands.Add(PrivacyCommands.Create(console));
        root.Subcommands.Add(Commands.BreakGlass.BreakGlassCommands.Create(console));
        root.Subcommands.Add(Commands.Compliance.ComplianceCommands.Create(console));
        return root;
    }

    /// <summary>Parses and runs. Parse errors go to stderr with exit code 1.</summary>
    public static async Task<int> RunAsync(string[] args, CliConsole console, TimeProvider time, CancellationToken cancellationToken = default)
    {
        var root = BuildRootCommand(console, time);
        var parse = root.Parse(args);
        var invocation = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            EnableDefaultExceptionHandler = false,

            // Only the real process listens for signals; in-process callers (tests) cancel through the token.
            ProcessTerminationTimeout = ReferenceEquals(console.Out, Console.Out) ? ShutdownGrace : null,
        };
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            foreach (var error in parse.Errors)
            {
                console.WriteError("cli.usage", error.Message);
            }

            console.Error.WriteLine("Run 'bulwark --help' (or '<command> --help') for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(invocation, cancellationToken);
        }
        catch (Exception ex)
        {
            // Last line of defence: an unexpected failure is reported in one line, never as a stack trace.
            console.WriteError("cli.unexpected", $"{ex.GetType().Name}: {ex.Message}");
            return ExitCodes.ApiError;
        }
    }
}

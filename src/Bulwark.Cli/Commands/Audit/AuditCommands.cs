using System.CommandLine;
using System.Globalization;
using Bulwark.Cli.Connection;

namespace Bulwark.Cli.Commands.Audit;

/// <summary><c>bulwark audit verify</c>: exit 0 when the hash chain is intact, 2 when it is broken.</summary>
internal static class AuditCommands
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("audit", "Audit ledger operations");
        var verify = new Command("verify", "Recompute the audit hash chain; exit code 2 and the first broken sequence if it was tampered with");
        var connection = ConnectionOptions.AddTo(verify);
        verify.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var result = await client.VerifyAuditAsync(ct);
            if (result.Valid)
            {
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"audit chain valid: {result.EventsVerified} events, head {result.HeadHash ?? "(empty)"}"));
                return ExitCodes.Success;
            }

            console.Out.WriteLine(TerminalText.Sanitize(string.Create(CultureInfo.InvariantCulture, $"audit chain BROKEN at sequence {result.FirstBrokenSequence}: {result.Reason}")));
            console.WriteError("audit.chain-broken", string.Create(CultureInfo.InvariantCulture, $"first broken sequence {result.FirstBrokenSequence} ({result.Reason}); {result.EventsVerified} events verified before it"));
            return ExitCodes.VerificationFailed;
        }, ct));
        command.Subcommands.Add(verify);
        return command;
    }
}

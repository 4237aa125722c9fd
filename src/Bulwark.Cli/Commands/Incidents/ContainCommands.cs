using System.CommandLine;
using Bulwark.Cli.Connection;
using Bulwark.Client.Contracts;

namespace Bulwark.Cli.Commands.Incidents;

/// <summary>
/// <c>bulwark contain …</c>: the containment, eradication and recovery actions of docs/incident-response.md. Each needs a
/// session signed in with MFA and takes effect on the next request.
/// </summary>
internal static class ContainCommands
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("contain", "Containment actions: status, lockdown, freeze, block/unblock a network, revoke, disable a user, quarantine, reinstate, rotate keys, reverify");
        command.Subcommands.Add(Status(console));
        command.Subcommands.Add(Toggle(console, "lockdown", "Only administrators and security officers signed in with MFA may act (on|off)"));
        command.Subcommands.Add(Toggle(console, "freeze", "Refuse training, model imports and promotions (on|off)"));
        command.Subcommands.Add(Network(console, "block-network", "networks/block", "Refuse every request from an address or CIDR range"));
        command.Subcommands.Add(Network(console, "unblock-network", "networks/unblock", "Lift a network block"));
        command.Subcommands.Add(Revoke(console));
        command.Subcommands.Add(DisableUser(console));
        command.Subcommands.Add(Quarantine(console));
        command.Subcommands.Add(Reinstate(console));
        command.Subcommands.Add(Simple(console, "rotate-keys", "rotate-keys", "Rotate the token and audit signing keys (old signatures keep verifying)"));
        command.Subcommands.Add(Simple(console, "rotate-master-key", "rotate-master-key", "Add a new master key version and make it primary (older data stays readable)"));
        command.Subcommands.Add(Reverify(console));
        return command;
    }

    private static (Option<string> Reason, Option<int?> Incident) Common(Command command)
    {
        var reason = new Option<string>("--reason") { Description = "Why (recorded in the audit trail)", Required = true };
        var incident = new Option<int?>("--incident") { Description = "The incident this action belongs to (timeline and checklist)" };
        command.Options.Add(reason);
        command.Options.Add(incident);
        return (reason, incident);
    }

    private static Command Status(CliConsole console)
    {
        var command = new Command("status", "What is in force now");
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var status = await client.GetContainmentAsync(ct);
            console.Out.WriteLine($"lockdown: {(status.Lockdown ? "ON" : "off")}; freeze: {(status.Frozen ? "ON" : "off")}; blocked networks: {(status.BlockedNetworks.Count == 0 ? "none" : string.Join(", ", status.BlockedNetworks))}");
            foreach (var c in status.Controls)
            {
                console.Out.WriteLine(TerminalText.Sanitize($"{c.Kind} {c.Value} since {c.CreatedAt:u} by {c.CreatedBy}{(c.Incident is { } n ? $" (INC-{n})" : "")}: {c.Reason}"));
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Toggle(CliConsole console, string name, string description)
    {
        var state = new Argument<string>("state") { Description = "on or off" };
        state.AcceptOnlyFromAmong("on", "off");
        var command = new Command(name, description) { state };
        var (reason, incident) = Common(command);
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var result = await client.ContainAsync<ContainmentResult>(name,
                new ContainmentToggleRequest(parse.GetRequiredValue(state) == "on", parse.GetRequiredValue(reason), parse.GetValue(incident)), ct);
            console.Out.WriteLine(TerminalText.Sanitize(result.Detail));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Network(CliConsole console, string name, string path, string description)
    {
        var network = new Argument<string>("network") { Description = "Address or CIDR range, e.g. 203.0.113.0/24" };
        var command = new Command(name, description) { network };
        var (reason, incident) = Common(command);
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var result = await client.ContainAsync<ContainmentResult>(path,
                new NetworkBlockRequest(parse.GetRequiredValue(network), parse.GetRequiredValue(reason), parse.GetValue(incident)), ct);
            console.Out.WriteLine(TerminalText.Sanitize(result.Detail));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Revoke(CliConsole console)
    {
        var principal = new Argument<string>("principal") { Description = "user:<id>, key:<prefix> or client:<id> (as audit events name it)" };
        var command = new Command("revoke", "Revoke every key, token and session of a principal") { principal };
        var (reason, incident) = Common(command);
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var result = await client.ContainAsync<ContainmentResult>("revoke",
                new RevokePrincipalRequest(parse.GetRequiredValue(principal), parse.GetRequiredValue(reason), parse.GetValue(incident)), ct);
            console.Out.WriteLine(TerminalText.Sanitize(result.Detail));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command DisableUser(CliConsole console)
    {
        var login = new Argument<string>("login") { Description = "The user to disable" };
        var command = new Command("disable-user", "Disable a user and end every session") { login };
        var (reason, incident) = Common(command);
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var result = await client.ContainAsync<ContainmentResult>("users/" + Uri.EscapeDataString(parse.GetRequiredValue(login)) + "/disable",
                new ContainmentActionRequest(parse.GetRequiredValue(reason), parse.GetValue(incident)), ct);
            console.Out.WriteLine(TerminalText.Sanitize(result.Detail));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Quarantine(CliConsole console)
    {
        var model = new Argument<string>("model") { Description = "Model name" };
        var version = new Argument<int>("version") { Description = "Version to take out of service" };
        var command = new Command("quarantine", "Quarantine a model version (production falls back to the last good version)") { model, version };
        var (reason, incident) = Common(command);
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var result = await client.QuarantineAsync(parse.GetRequiredValue(model), parse.GetValue(version),
                new ContainmentActionRequest(parse.GetRequiredValue(reason), parse.GetValue(incident)), ct);
            console.Out.WriteLine(TerminalText.Sanitize(result.Detail));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Reinstate(CliConsole console)
    {
        var model = new Argument<string>("model") { Description = "Model name" };
        var version = new Argument<int>("version") { Description = "Quarantined version" };
        var evidence = new Option<string>("--evidence") { Description = "How the artifacts were restored and checked", Required = true };
        var incident = new Option<int?>("--incident") { Description = "The incident this belongs to" };
        var command = new Command("reinstate", "Return a quarantined version to 'retired' after a clean verification (approvers)") { model, version, evidence, incident };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var result = await client.ReinstateAsync(parse.GetRequiredValue(model), parse.GetValue(version),
                new ReinstateRequest(parse.GetRequiredValue(evidence), parse.GetValue(incident)), ct);
            console.Out.WriteLine(TerminalText.Sanitize(result.Detail));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Simple(CliConsole console, string name, string path, string description)
    {
        var command = new Command(name, description);
        var (reason, incident) = Common(command);
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var result = await client.ContainAsync<ContainmentResult>(path, new ContainmentActionRequest(parse.GetRequiredValue(reason), parse.GetValue(incident)), ct);
            console.Out.WriteLine(TerminalText.Sanitize(result.Detail));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Reverify(CliConsole console)
    {
        var command = new Command("reverify", "Re-verify every model artifact and the audit chain (eradication); exit 2 on any failure");
        var (reason, incident) = Common(command);
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var result = await client.ContainAsync<ReverifyResult>("reverify", new ContainmentActionRequest(parse.GetRequiredValue(reason), parse.GetValue(incident)), ct);
            console.Out.WriteLine($"model versions checked: {result.VersionsChecked}; failed: {result.Failures.Count}; audit chain: {(result.AuditChainValid ? "valid" : $"BROKEN at {result.AuditFirstBrokenSequence}")}");
            foreach (var failure in result.Failures)
            {
                console.Out.WriteLine(TerminalText.Sanitize("  " + failure));
            }

            return result.Failures.Count == 0 && result.AuditChainValid ? ExitCodes.Success : ExitCodes.VerificationFailed;
        }, ct));
        return command;
    }
}

using System.CommandLine;
using System.Globalization;
using Bulwark.Cli.Connection;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Incidents.Evidence;
using Spectre.Console;

namespace Bulwark.Cli.Commands.Incidents;

/// <summary><c>bulwark incident list|show|open|update|move|check|evidence</c> and <c>bulwark evidence verify</c>.</summary>
internal static class IncidentCommands
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("incident", "Incidents: list, show, open, update, move through phases, tick the checklist, export evidence");
        command.Subcommands.Add(List(console));
        command.Subcommands.Add(Show(console));
        command.Subcommands.Add(Open(console));
        command.Subcommands.Add(Update(console));
        command.Subcommands.Add(Move(console));
        command.Subcommands.Add(Check(console));
        command.Subcommands.Add(Evidence(console));
        return command;
    }

    private static Argument<int> Number() => new("number") { Description = "Incident number (INC-<number>)" };

    private static Command List(CliConsole console)
    {
        var all = new Option<bool>("--all") { Description = "Include closed incidents" };
        var command = new Command("list", "Open incidents, newest first") { all };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var table = new Table().AddColumns("#", "Severity", "State", "Type", "Title", "Rule", "Subject", "Opened", "Owner");
            foreach (var i in await client.ListIncidentsAsync(parse.GetValue(all), ct))
            {
                table.AddRow(i.Number.ToString(CultureInfo.InvariantCulture), TerminalText.Cell(i.Severity), TerminalText.Cell(i.State), TerminalText.Cell(i.Type),
                    TerminalText.Cell(i.Title), TerminalText.Cell(i.Rule ?? "-"), TerminalText.Cell(i.Subject ?? "-"),
                    i.OpenedAt.ToString("u", CultureInfo.InvariantCulture), TerminalText.Cell(i.Owner ?? "-"));
            }

            console.Ansi.Write(table);
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Show(CliConsole console)
    {
        var number = Number();
        var command = new Command("show", "An incident with its deadlines, checklist and timeline") { number };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            Print(console, await client.GetIncidentAsync(parse.GetValue(number), ct));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Open(CliConsole console)
    {
        var title = new Option<string>("--title") { Description = "What happened, in one line", Required = true };
        var severity = new Option<string>("--severity") { Description = "low, medium, high or critical", Required = true };
        var type = new Option<string>("--type") { Description = "credential-attack, leaked-credential, model-tampering, audit-tampering, privilege-misuse or other", DefaultValueFactory = _ => "other" };
        var owner = new Option<string?>("--owner") { Description = "Who leads the response" };
        var personal = new Option<bool>("--personal-data") { Description = "Personal data involved: starts the GDPR 72-hour clock" };
        var health = new Option<bool>("--health-data") { Description = "Health data involved: starts the HIPAA 60-day clock" };
        var command = new Command("open", "Open an incident by hand") { title, severity, type, owner, personal, health };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var opened = await client.OpenIncidentAsync(new OpenIncidentRequest(parse.GetRequiredValue(title), parse.GetRequiredValue(severity),
                parse.GetValue(type) ?? "other", parse.GetValue(owner), null, parse.GetValue(personal), parse.GetValue(health)), ct);
            Print(console, opened);
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Update(CliConsole console)
    {
        var number = Number();
        var severity = new Option<string?>("--severity") { Description = "New severity" };
        var owner = new Option<string?>("--owner") { Description = "New owner" };
        var personal = new Option<bool?>("--personal-data") { Description = "Personal data involved (true/false)" };
        var health = new Option<bool?>("--health-data") { Description = "Health data involved (true/false)" };
        var note = new Option<string?>("--note") { Description = "A note for the timeline" };
        var command = new Command("update", "Change severity, owner or data flags, or add a note") { number, severity, owner, personal, health, note };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            Print(console, await client.UpdateIncidentAsync(parse.GetValue(number), new UpdateIncidentRequest(parse.GetValue(severity), parse.GetValue(owner),
                parse.GetValue(personal), parse.GetValue(health), parse.GetValue(note)), ct));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Move(CliConsole console)
    {
        var number = Number();
        var state = new Argument<string>("state") { Description = "The next phase: contained, eradicated, recovered or closed" };
        var evidence = new Option<string>("--evidence") { Description = "What was done and how it was checked", Required = true };
        var command = new Command("move", "Move an incident to its next phase (phases cannot be skipped)") { number, state, evidence };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var moved = await client.TransitionIncidentAsync(parse.GetValue(number), new IncidentTransitionRequest(parse.GetRequiredValue(state), parse.GetRequiredValue(evidence)), ct);
            console.Out.WriteLine(TerminalText.Sanitize($"INC-{moved.Incident.Number} is now {moved.Incident.State}"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Check(CliConsole console)
    {
        var number = Number();
        var item = new Argument<string>("item") { Description = "Checklist item id (see incident show)" };
        var evidence = new Option<string>("--evidence") { Description = "How it was done", Required = true };
        var command = new Command("check", "Mark a checklist item done") { number, item, evidence };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var updated = await client.CompleteIncidentItemAsync(parse.GetValue(number), new IncidentChecklistRequest(parse.GetRequiredValue(item), parse.GetRequiredValue(evidence)), ct);
            var open = updated.Checklist.Where(c => !c.Done).Select(c => c.Item).ToList();
            console.Out.WriteLine(TerminalText.Sanitize(open.Count == 0 ? "checklist complete" : "still to do: " + string.Join(", ", open)));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Evidence(CliConsole console)
    {
        var number = Number();
        var output = new Option<FileInfo>("--out") { Description = "Zip file to write", Required = true };
        var command = new Command("evidence", "Export the signed evidence bundle (timeline, audit slice with proofs, artifact digests)") { number, output };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var path = parse.GetRequiredValue(output).FullName;
            using var client = connection.CreateClient(parse);
            var partial = path + ".partial";
            await using (var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                await client.ExportEvidenceAsync(parse.GetValue(number), stream, ct);
            }

            File.Move(partial, path, overwrite: true);
            console.Out.WriteLine(TerminalText.Sanitize($"wrote {path}; verify it with: bulwark evidence verify {path} --key audit.pem"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    /// <summary><c>bulwark evidence verify BUNDLE --key PEM</c>: offline, exit 0 when valid and 2 when not.</summary>
    public static Command CreateEvidence(CliConsole console)
    {
        var bundle = new Argument<FileInfo>("bundle") { Description = "The evidence bundle (zip)" };
        var key = new Option<FileInfo[]>("--key") { Description = "Trusted audit public key (PEM), repeatable", Required = true };
        var verify = new Command("verify", "Verify an evidence bundle offline against the audit public key") { bundle, key };
        verify.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var trusted = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var file in parse.GetRequiredValue(key))
            {
                foreach (var (id, spki) in AuditExportVerifier.ReadTrustedKeys(await File.ReadAllTextAsync(file.FullName, ct)))
                {
                    trusted[id] = spki;
                }
            }

            if (trusted.Count == 0)
            {
                throw new CliUsageException("--key holds no P-256 public key (PEM \"PUBLIC KEY\"); get it with: bulwark audit keys --out audit.pem");
            }

            await using var stream = File.OpenRead(parse.GetRequiredValue(bundle).FullName);
            var report = await EvidenceBundleVerifier.VerifyAsync(stream, trusted, ct);
            if (report.Valid)
            {
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"evidence bundle valid: incident {report.Incident}, signed by key {report.SignedBy}, audit slice {report.AuditEventsVerified} events and {report.AuditCheckpointsVerified} checkpoints verified"));
                return ExitCodes.Success;
            }

            console.WriteError("evidence.invalid", TerminalText.Sanitize(report.Reason ?? "invalid"));
            return ExitCodes.VerificationFailed;
        }, ct));
        var command = new Command("evidence", "Evidence bundles");
        command.Subcommands.Add(verify);
        return command;
    }

    private static void Print(CliConsole console, IncidentInfo info)
    {
        var i = info.Incident;
        console.Out.WriteLine(TerminalText.Sanitize($"INC-{i.Number} [{i.Severity}] {i.State}: {i.Title}"));
        console.Out.WriteLine(TerminalText.Sanitize($"type {i.Type}; opened {i.OpenedAt:u}; owner {i.Owner ?? "-"}; rule {i.Rule ?? "-"}; subject {i.Subject ?? "-"}; detections {i.Detections}"));
        foreach (var d in info.Deadlines)
        {
            console.Out.WriteLine(TerminalText.Sanitize($"deadline {d.Id}: {d.Description} by {d.DueAt:u}{(d.Passed ? " (PASSED)" : "")}"));
        }

        foreach (var c in info.Checklist)
        {
            console.Out.WriteLine(TerminalText.Sanitize($"[{(c.Done ? "x" : " ")}] {c.Item}{(c.Done ? $" — {c.By}: {c.Evidence}" : "")}"));
        }

        foreach (var e in info.Timeline)
        {
            console.Out.WriteLine(TerminalText.Sanitize($"{e.At:u} {e.Kind,-12} {e.Actor}: {e.Text}"));
        }
    }
}

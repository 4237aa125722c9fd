using System.CommandLine;
using System.Globalization;
using Bulwark.Cli.Connection;
using Bulwark.Core.Audit;

namespace Bulwark.Cli.Commands.Audit;

/// <summary>
/// <c>bulwark audit verify|export|checkpoint|keys</c>. <c>verify</c> exits 0 when the ledger (or an export, offline) is
/// intact and 2 with the first broken sequence when it is not.
/// </summary>
internal static class AuditCommands
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("audit", "Audit ledger: verify (online or offline), export, checkpoints, public keys");
        command.Subcommands.Add(Verify(console));
        command.Subcommands.Add(Export(console));
        command.Subcommands.Add(Checkpoint(console));
        command.Subcommands.Add(Keys(console));
        command.Subcommands.Add(Search(console));
        command.Subcommands.Add(Archives(console));
        return command;
    }

    private static Command Archives(CliConsole console)
    {
        var command = new Command("archives", "Archive files written by retention (verify each with audit verify --file)");
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            foreach (var a in await client.ListAuditArchivesAsync(ct))
            {
                console.Out.WriteLine(TerminalText.Sanitize(string.Create(CultureInfo.InvariantCulture,
                    $"{a.FileName}  events {a.FromSequence}..{a.ToSequence} ({a.Events})  sha256 {a.Sha256}  {(a.PurgedAt is { } p ? $"purged {p:u}" : $"written {a.CreatedAt:u}")}")));
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Search(CliConsole console)
    {
        var principal = new Option<string?>("--principal") { Description = "Exact principal, e.g. key:bwk_ab12cd34 or user:<id>" };
        var action = new Option<string?>("--action") { Description = "Exact action, e.g. model.predict" };
        var resource = new Option<string?>("--resource") { Description = "Resource prefix, e.g. model/fraud" };
        var outcome = new Option<string?>("--outcome") { Description = "success, denied, failure or rejected" };
        var from = new Option<string?>("--since") { Description = "ISO 8601 time with offset" };
        var to = new Option<string?>("--until") { Description = "ISO 8601 time with offset" };
        var limit = new Option<int>("--limit") { Description = "Events to show (1–500)", DefaultValueFactory = _ => 100 };
        var instance = new Option<bool>("--instance") { Description = "Include instance-wide events (sign-ins, user administration)" };
        var command = new Command("search", "Search the audit ledger (the search itself is audited)") { principal, action, resource, outcome, from, to, limit, instance };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var page = await client.SearchAuditAsync(parse.GetValue(principal), parse.GetValue(action), parse.GetValue(resource), parse.GetValue(outcome),
                parse.GetValue(from), parse.GetValue(to), 0, parse.GetValue(limit), parse.GetValue(instance), ct);
            foreach (var e in page.Events)
            {
                console.Out.WriteLine(TerminalText.Sanitize(string.Create(CultureInfo.InvariantCulture,
                    $"{e.Sequence,8} {e.Timestamp:u} {e.Code} {e.Action,-22} {e.Outcome,-8} {e.Principal} {e.Resource} {e.ClientAddress ?? "-"}")));
            }

            if (page.Next is { } next)
            {
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"(more after sequence {next})"));
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Verify(CliConsole console)
    {
        var file = new Option<FileInfo?>("--file") { Description = "Verify an export offline instead of the server's ledger" };
        var key = new Option<FileInfo[]>("--key") { Description = "Trusted audit public key (PEM), repeatable; required with --file" };
        var from = new Option<long?>("--from") { Description = "First sequence number to verify (online)" };
        var to = new Option<long?>("--to") { Description = "Last sequence number to verify (online)" };
        var command = new Command("verify", "Recompute the hash chain and check the signed checkpoints; exit 2 and the first broken sequence if tampered with")
        {
            file, key, from, to,
        };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            if (parse.GetValue(file) is { } export)
            {
                return await VerifyOfflineAsync(console, export, parse.GetValue(key) ?? [], ct);
            }

            using var client = connection.CreateClient(parse);
            var result = await client.VerifyAuditAsync(parse.GetValue(from), parse.GetValue(to), ct);
            if (result.Valid)
            {
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"audit chain valid: {result.EventsVerified} events, {result.CheckpointsVerified} signed checkpoints, head {result.HeadHash ?? "(empty)"}"));
                return ExitCodes.Success;
            }

            return Broken(console, result.FirstBrokenSequence, result.Reason, result.EventsVerified);
        }, ct));
        return command;
    }

    private static async Task<int> VerifyOfflineAsync(CliConsole console, FileInfo export, FileInfo[] keyFiles, CancellationToken ct)
    {
        if (keyFiles.Length == 0)
        {
            throw new CliUsageException("--file needs --key: the audit public key you trust (bulwark audit keys --out audit.pem, kept outside Bulwark).");
        }

        var trusted = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var keyFile in keyFiles)
        {
            var keys = AuditExportVerifier.ReadTrustedKeys(await File.ReadAllTextAsync(keyFile.FullName, ct));
            if (keys.Count == 0)
            {
                throw new CliUsageException($"{keyFile.Name} holds no P-256 public key (PEM \"PUBLIC KEY\").");
            }

            foreach (var (id, spki) in keys)
            {
                trusted[id] = spki;
            }
        }

        using var reader = new StreamReader(export.FullName);
        var report = await AuditExportVerifier.VerifyAsync(reader, trusted, ct);
        if (report.Valid)
        {
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"audit export valid: events {report.From}..{report.LastSequence} ({report.EventsVerified} verified), {report.CheckpointsVerified} signed checkpoints, signed by key {report.SignedBy}"));
            return ExitCodes.Success;
        }

        return Broken(console, report.FirstBrokenSequence, report.Reason, report.EventsVerified);
    }

    private static int Broken(CliConsole console, long? sequence, string? reason, long verified)
    {
        console.Out.WriteLine(TerminalText.Sanitize(string.Create(CultureInfo.InvariantCulture, $"audit chain BROKEN at sequence {sequence}: {reason}")));
        console.WriteError("audit.chain-broken", TerminalText.Sanitize(string.Create(CultureInfo.InvariantCulture,
            $"first broken sequence {sequence} ({reason}); {verified} events verified before it")));
        return ExitCodes.VerificationFailed;
    }

    private static Command Export(CliConsole console)
    {
        var output = new Option<FileInfo>("--out") { Description = "File to write (JSON Lines)", Required = true };
        var from = new Option<long?>("--from") { Description = "First sequence number (default 1)" };
        var to = new Option<long?>("--to") { Description = "Last sequence number (default: the head); the export runs on to the next signed checkpoint" };
        var command = new Command("export", "Export the ledger with the proofs to verify it offline") { output, from, to };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var path = parse.GetRequiredValue(output).FullName;
            using var client = connection.CreateClient(parse);
            var partial = path + ".partial";
            await using (var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                await client.ExportAuditAsync(stream, parse.GetValue(from), parse.GetValue(to), ct);
            }

            // Only a complete download takes the requested name.
            File.Move(partial, path, overwrite: true);
            console.Out.WriteLine(TerminalText.Sanitize($"wrote {path}; verify it with: bulwark audit verify --file {path} --key audit.pem"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Checkpoint(CliConsole console)
    {
        var command = new Command("checkpoint", "Sign the chain head now and print the checkpoint (keep a copy outside Bulwark); needs admin");
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var checkpoint = await client.CheckpointAuditAsync(ct);
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"checkpoint at sequence {checkpoint.Sequence}, head {checkpoint.HeadHash}, key {checkpoint.KeyId}, signed {checkpoint.SignedAt:u}"));
            console.Out.WriteLine(checkpoint.Envelope.GetRawText());
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Keys(CliConsole console)
    {
        var output = new Option<FileInfo?>("--out") { Description = "Write every key (PEM) to this file instead of printing" };
        var command = new Command("keys", "The audit public keys, retired ones included, for offline verification") { output };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var keys = await client.GetAuditKeysAsync(ct);
            var pem = string.Concat(keys.Keys.Select(k => k.PublicKeyPem.TrimEnd() + "\n"));
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, pem, ct);
                console.Out.WriteLine(TerminalText.Sanitize($"wrote {keys.Keys.Count} keys to {file.FullName} (active {keys.ActiveKeyId})"));
            }
            else
            {
                foreach (var k in keys.Keys)
                {
                    console.Out.WriteLine(TerminalText.Sanitize($"# {k.KeyId}{(k.KeyId == keys.ActiveKeyId ? " (active)" : "")}"));
                    console.Out.WriteLine(k.PublicKeyPem.TrimEnd());
                }
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }
}

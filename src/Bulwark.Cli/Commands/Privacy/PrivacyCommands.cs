using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bulwark.Cli.Connection;
using Bulwark.Core.Audit;
using Bulwark.Core.Privacy;

namespace Bulwark.Cli.Commands.Privacy;

/// <summary>
/// <c>bulwark privacy erase|export|verify-receipt</c>: data-subject rights (GDPR Art. 15, 17). The subject key is read
/// from standard input unless given with <c>--subject</c> (a command line is visible to other users of the machine).
/// </summary>
internal static class PrivacyCommands
{
    private static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create(CliConsole console)
    {
        var command = new Command("privacy", "Data-subject rights: erase a subject, export what is held about them, verify an erasure receipt");
        command.Subcommands.Add(Erase(console));
        command.Subcommands.Add(Export(console));
        command.Subcommands.Add(VerifyReceipt(console));
        return command;
    }

    private static Option<string?> SubjectOption() =>
        new("--subject") { Description = "The subject key (value of the datasets' subject column); read from standard input when omitted" };

    private static Command Erase(CliConsole console)
    {
        var subject = SubjectOption();
        var receipt = new Option<FileInfo?>("--receipt") { Description = "Where to write the signed receipt (default erasure-<request>.dsse.json)" };
        var command = new Command("erase", "Erase a subject from every dataset and capture of the project (needs privacy:manage, MFA); writes a signed receipt")
        {
            subject, receipt,
        };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var key = ReadSubject(console, parse.GetValue(subject));
            using var client = connection.CreateClient(parse);
            var result = await client.EraseSubjectAsync(key, ct);
            var path = parse.GetValue(receipt)?.FullName ?? Path.GetFullPath($"erasure-{result.RequestId:D}.dsse.json");
            await File.WriteAllTextAsync(path, result.Receipt, ct);
            console.Out.WriteLine(TerminalText.Sanitize(string.Create(CultureInfo.InvariantCulture,
                $"erased subject {result.SubjectHmac[..16]}…: {result.Datasets.Sum(d => d.RowsRemoved)} dataset rows in {result.Datasets.Count} datasets, {result.CapturedPredictions} captured predictions, {result.FeedbackLabels} feedback labels")));
            foreach (var v in result.RetrainRequired)
            {
                console.Out.WriteLine(TerminalText.Sanitize(string.Create(CultureInfo.InvariantCulture, $"retrain required: {v.Model} v{v.Version} ({v.Stage})")));
            }

            console.Out.WriteLine(TerminalText.Sanitize($"receipt: {path}; verify it with: bulwark privacy verify-receipt --file {path} --key audit.pem"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Export(CliConsole console)
    {
        var subject = SubjectOption();
        var output = new Option<FileInfo?>("--out") { Description = "Write the export (JSON) to this file instead of standard output" };
        var command = new Command("export", "Everything the project holds about a subject, as JSON (needs privacy:manage, MFA)") { subject, output };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var key = ReadSubject(console, parse.GetValue(subject));
            using var client = connection.CreateClient(parse);
            var export = await client.ExportSubjectAsync(key, ct);
            var json = JsonSerializer.Serialize(export, Indented);
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, json, ct);
                console.Out.WriteLine(TerminalText.Sanitize(string.Create(CultureInfo.InvariantCulture,
                    $"wrote {file.FullName}: {export.Datasets.Sum(d => d.Rows.Count)} dataset rows, {export.CapturedPredictions.Count} captured predictions")));
            }
            else
            {
                console.Out.WriteLine(json);
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command VerifyReceipt(CliConsole console)
    {
        var file = new Option<FileInfo>("--file") { Description = "The receipt (DSSE envelope) that erase wrote", Required = true };
        var key = new Option<FileInfo[]>("--key") { Description = "Trusted audit public key (PEM, from bulwark audit keys --out), repeatable", Required = true };
        var command = new Command("verify-receipt", "Verify an erasure receipt offline against the audit public key; exit 2 when it does not verify") { file, key };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var trusted = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var keyFile in parse.GetValue(key) ?? [])
            {
                foreach (var (id, spki) in AuditExportVerifier.ReadTrustedKeys(await File.ReadAllTextAsync(keyFile.FullName, ct)))
                {
                    trusted[id] = spki;
                }
            }

            if (trusted.Count == 0)
            {
                throw new CliUsageException("--key holds no P-256 public key (PEM \"PUBLIC KEY\").");
            }

            var envelope = await File.ReadAllTextAsync(parse.GetRequiredValue(file).FullName, ct);
            if (!ErasureReceipt.TryVerify(envelope, trusted, out var statement, out var reason))
            {
                console.Out.WriteLine("erasure receipt INVALID");
                console.WriteError("privacy.receipt-invalid", TerminalText.Sanitize(reason));
                return ExitCodes.VerificationFailed;
            }

            var removed = statement!["removed"]!;
            console.Out.WriteLine(TerminalText.Sanitize(string.Create(CultureInfo.InvariantCulture,
                $"erasure receipt valid: request {statement["requestId"]}, project {statement["project"]}, subject hmac {statement["subject"]?["hmac"]}, completed {statement["completedAt"]}; removed {removed["datasetRows"]} dataset rows, {removed["capturedPredictions"]} captured predictions, {removed["feedbackLabels"]} feedback labels")));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static string ReadSubject(CliConsole console, string? given)
    {
        var key = given ?? console.In.ReadLine();
        return SubjectKeys.IsValid(key) ? SubjectKeys.Normalise(key!) : throw new CliUsageException("Give the subject key with --subject or on standard input (1–256 characters).");
    }
}

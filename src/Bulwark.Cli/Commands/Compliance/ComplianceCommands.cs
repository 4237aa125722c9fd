using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bulwark.Cli.Connection;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Compliance.Reports;

namespace Bulwark.Cli.Commands.Compliance;

/// <summary><c>bulwark compliance report|verify</c>: signed evidence reports for GDPR, HIPAA and PCI DSS.</summary>
internal static class ComplianceCommands
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Command Create(CliConsole console)
    {
        var command = new Command("compliance", "Compliance evidence: reports judged on live evidence, signed by the audit key");
        command.Subcommands.Add(Report(console));
        command.Subcommands.Add(Verify(console));
        return command;
    }

    private static Command Report(CliConsole console)
    {
        var framework = new Option<string>("--framework") { Description = "gdpr, hipaa or pci", Required = true };
        var format = new Option<string>("--format") { Description = "md (default), json (signed, verifiable offline) or html", DefaultValueFactory = _ => "md" };
        var days = new Option<int?>("--days") { Description = "The period looked back on, for break-glass sessions (default 30)" };
        var output = new Option<FileInfo?>("--out") { Description = "Write the report to this file instead of the terminal" };
        var command = new Command("report", "Each control of a framework: met, partial or not met, with the reason and the live evidence") { framework, format, days, output };
        var connection = ConnectionOptions.AddTo(command, withProject: false);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var kind = parse.GetValue(format)?.Trim().ToLowerInvariant();
            if (kind is not ("md" or "json" or "html"))
            {
                throw new CliUsageException("--format must be md, json or html.");
            }

            using var client = connection.CreateClient(parse);
            var text = await client.GetComplianceReportAsync(parse.GetRequiredValue(framework), parse.GetValue(days), ct);
            var signed = JsonSerializer.Deserialize<SignedComplianceReportInfo>(text, Json) ?? throw new JsonException("Empty report.");
            var rendered = kind switch
            {
                "json" => text,
                "html" => ComplianceRenderer.Html(signed.Report),
                _ => ComplianceRenderer.Markdown(signed.Report),
            };
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, rendered, ct);
                console.Out.WriteLine(TerminalText.Sanitize(string.Create(CultureInfo.InvariantCulture,
                    $"wrote {file.FullName}: {signed.Report.Met} met, {signed.Report.Partial} partial, {signed.Report.NotMet} not met")));
            }
            else
            {
                console.Out.Write(TerminalText.Sanitize(rendered));
                console.Out.WriteLine();
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    /// <summary><c>bulwark compliance verify FILE --key PEM</c>: offline; exit 0 when the signature verifies, 2 when not.</summary>
    private static Command Verify(CliConsole console)
    {
        var file = new Argument<FileInfo>("report") { Description = "A report written with --format json" };
        var key = new Option<FileInfo[]>("--key") { Description = "Trusted audit public key (PEM), repeatable", Required = true };
        var command = new Command("verify", "Verify a JSON compliance report offline against the audit public key") { file, key };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var trusted = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var pem in parse.GetRequiredValue(key))
            {
                foreach (var (id, spki) in AuditExportVerifier.ReadTrustedKeys(await File.ReadAllTextAsync(pem.FullName, ct)))
                {
                    trusted[id] = spki;
                }
            }

            if (trusted.Count == 0)
            {
                throw new CliUsageException("--key holds no P-256 public key (PEM \"PUBLIC KEY\"); get it with: bulwark audit keys --out audit.pem");
            }

            string? signature = null;
            try
            {
                using var json = JsonDocument.Parse(await File.ReadAllTextAsync(parse.GetRequiredValue(file).FullName, ct));
                signature = json.RootElement.TryGetProperty("signature", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            }
            catch (JsonException)
            {
                signature = null;
            }

            if (signature is null || !ComplianceReporter.TryVerify(signature, trusted, out var report, out var keyId, out var error))
            {
                console.WriteError("compliance.invalid", "the report's signature does not verify" + (signature is null ? ": no signature in the file" : ""));
                return ExitCodes.VerificationFailed;
            }

            _ = error;
            console.Out.WriteLine(TerminalText.Sanitize(string.Create(CultureInfo.InvariantCulture,
                $"compliance report valid: {report!.Framework}, generated {report.GeneratedAt:u} by {report.GeneratedBy}, signed by key {keyId}; {report.Met} met, {report.Partial} partial, {report.NotMet} not met")));
            return ExitCodes.Success;
        }, ct));
        return command;
    }
}

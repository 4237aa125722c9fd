using System.Text.Json;
using Bulwark.Core.Audit;

namespace Bulwark.Core.Compliance.Reports;

/// <summary>
/// Builds a compliance evidence report from live evidence, signs it with the active audit key (the key that signs
/// checkpoints and evidence bundles, so it verifies offline with <c>bulwark audit keys</c>' PEM) and records that it
/// was generated in the audit ledger.
/// </summary>
internal sealed class ComplianceReporter(ComplianceEvidenceCollector collector, AuditKeyStore keys, AuditLedger audit)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The report, its canonical JSON (the signed payload) and the DSSE envelope over it.</summary>
    public async Task<Outcome<SignedComplianceReport>> GenerateAsync(string? framework, TimeSpan period, TransportFacts? transport, string principal,
        string? client, CancellationToken ct = default)
    {
        var name = framework?.Trim().ToLowerInvariant() ?? "";
        if (ComplianceFrameworks.Title(name) is not { } title)
        {
            return new Failure("compliance.framework-unknown", 400, $"Unknown framework; use one of {string.Join(", ", ComplianceFrameworks.All)}.");
        }

        var evidence = await collector.CollectAsync(period, transport, ct);
        var controls = ComplianceFrameworks.Evaluate(name, evidence);
        var report = new ComplianceReport(ComplianceReport.FormatId, name, title, evidence.Now, principal, evidence.PeriodStart,
            controls.Count(c => c.Status == ControlStatus.Met), controls.Count(c => c.Status == ControlStatus.Partial), controls.Count(c => c.Status == ControlStatus.NotMet),
            controls);
        var payload = JsonSerializer.SerializeToUtf8Bytes(report, Json);
        var signature = keys.Current.Sign(ComplianceReport.PayloadType, payload);
        await audit.AppendAsync(new AuditEntry(AuditCodes.ComplianceReportGenerated, "compliance.report", principal, "compliance/" + name, "success", client,
            new Dictionary<string, object?>
            {
                ["framework"] = name,
                ["met"] = report.Met,
                ["partial"] = report.Partial,
                ["notMet"] = report.NotMet,
                ["notMetControls"] = string.Join(' ', controls.Where(c => c.Status == ControlStatus.NotMet).Select(c => c.Id)),
                ["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(payload)),
            }));
        return new SignedComplianceReport(report, payload, signature);
    }

    /// <summary>
    /// Verifies a report offline: the DSSE signature against trusted audit public keys, and returns the report it signs
    /// (the signed payload, never the unsigned copy next to it).
    /// </summary>
    public static bool TryVerify(string signature, IReadOnlyDictionary<string, byte[]> trustedKeys, out ComplianceReport? report, out string keyId, out string error)
    {
        report = null;
        if (!SignedDocument.TryVerify(signature, ComplianceReport.PayloadType, trustedKeys, out var payload, out keyId, out error))
        {
            return false;
        }

        try
        {
            report = JsonSerializer.Deserialize<ComplianceReport>(payload, Json);
        }
        catch (JsonException ex)
        {
            error = "the signed payload is not a compliance report: " + ex.Message;
            return false;
        }

        if (report is null || report.Format != ComplianceReport.FormatId)
        {
            error = "the signed payload is not a " + ComplianceReport.FormatId + " report";
            return false;
        }

        return true;
    }
}

/// <summary>A report, the exact bytes that were signed, and the DSSE envelope (JSON text).</summary>
internal sealed record SignedComplianceReport(ComplianceReport Report, byte[] Payload, string Signature);

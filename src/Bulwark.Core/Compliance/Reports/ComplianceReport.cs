namespace Bulwark.Core.Compliance.Reports;

/// <summary>
/// A compliance evidence report: each control of one framework with its status, the reason, and the live values it was
/// judged on. Serialised with the web JSON defaults; the same bytes are the payload of the report's DSSE signature.
/// </summary>
internal sealed record ComplianceReport(
    string Format,
    string Framework,
    string FrameworkTitle,
    DateTimeOffset GeneratedAt,
    string GeneratedBy,
    DateTimeOffset PeriodStart,
    int Met,
    int Partial,
    int NotMet,
    IReadOnlyList<ControlResult> Controls)
{
    public const string FormatId = "bulwark-compliance-report/1";
    public const string PayloadType = "application/vnd.bulwark.compliance-report+json";
}

/// <summary>One control: <see cref="ControlStatus"/>, why, and the evidence values (name → value as text).</summary>
internal sealed record ControlResult(string Id, string Title, string Status, string Reason, IReadOnlyDictionary<string, string> Evidence);

/// <summary>The statuses a control can have.</summary>
internal static class ControlStatus
{
    public const string Met = "met";
    public const string Partial = "partial";
    public const string NotMet = "not met";
}

/// <summary>What the HTTPS host enforces, which Core cannot see: supplied by the server when it asks for a report.</summary>
internal sealed record TransportFacts(string Protocols, bool AeadOnly, int HstsMaxAgeDays, DateTimeOffset CertificateNotAfter, string CertificateKey);

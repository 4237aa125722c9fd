namespace Bulwark.Client.Contracts;

/// <summary>
/// <c>GET /api/v1/compliance/report</c>: the report and <paramref name="Signature"/>, a DSSE envelope (JSON text) by the
/// audit key whose payload is exactly the report's JSON. Verify offline with <c>bulwark compliance verify</c>.
/// </summary>
public sealed record SignedComplianceReportInfo(ComplianceReportInfo Report, string Signature);

/// <summary>A framework's controls judged on live evidence; <see cref="ComplianceControlInfo.Status"/> is "met", "partial" or "not met".</summary>
public sealed record ComplianceReportInfo(
    string Format,
    string Framework,
    string FrameworkTitle,
    DateTimeOffset GeneratedAt,
    string GeneratedBy,
    DateTimeOffset PeriodStart,
    int Met,
    int Partial,
    int NotMet,
    IReadOnlyList<ComplianceControlInfo> Controls);

/// <summary>One control: its status, the reason, and the evidence values it was judged on.</summary>
public sealed record ComplianceControlInfo(string Id, string Title, string Status, string Reason, IReadOnlyDictionary<string, string> Evidence);

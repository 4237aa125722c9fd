namespace Bulwark.Client.Contracts;

/// <summary>Result of <c>POST /api/v1/audit/verify</c>.</summary>
public sealed record AuditVerifyResult(bool Valid, long EventsVerified, long? FirstBrokenSequence, string? Reason, string? HeadHash);

namespace Bulwark.Client.Contracts;

/// <summary>Body of <c>POST /api/v1/models/{name}/versions/{v}/approvals</c>: an optional reviewer's note (at most 1024 characters).</summary>
public sealed record ApproveRequest(string? Comment = null);

/// <param name="Accountable">Who the approval counts as: a key or client resolves to whoever created it.</param>
public sealed record ApprovalInfo(string Principal, string Accountable, string? Comment, DateTimeOffset At);

/// <summary>Body of <c>POST /api/v1/models/{name}/rollback</c>: why (1–512 characters; audited).</summary>
public sealed record RollbackRequest(string Reason);

/// <summary>One entry of a model's release record (which version production was approved to be, and when).</summary>
/// <param name="Action">"promote", "rollback", "fallback", "retire", "quarantine" or "adopt".</param>
public sealed record ReleaseInfo(int Sequence, string Action, int? Version, string? ManifestDigest, string? RootDigest, string By, DateTimeOffset At);

public sealed record GateResultInfo(string Gate, bool Passed, double? Value, double? Threshold, string Detail);

/// <summary>The promotion gates of a model evaluated for one version (<c>GET …/versions/{v}/gates</c>).</summary>
public sealed record GateReportInfo(string Model, int Version, bool Passed, IReadOnlyList<GateResultInfo> Results);

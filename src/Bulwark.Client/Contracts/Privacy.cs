using System.Text.Json;

namespace Bulwark.Client.Contracts;

/// <summary>
/// Body of <c>POST /api/v1/privacy/erasure</c> and <c>POST /api/v1/privacy/subjects/export</c>: the data subject's key
/// (the value of the datasets' subject column, and of the <c>Bulwark-Subject</c> header of predictions about them).
/// <paramref name="Project"/> is optional; when given it must be the project the request acts in.
/// </summary>
public sealed record SubjectRequest(string Subject, string? Project = null);

/// <summary>
/// What an erasure removed, with <paramref name="Receipt"/>: a DSSE envelope (JSON) signed with the audit signing key,
/// verifiable offline with <c>bulwark privacy verify-receipt</c>. The subject appears only as an HMAC.
/// </summary>
public sealed record ErasureInfo(
    Guid RequestId,
    string SubjectHmac,
    IReadOnlyList<ErasedDatasetInfo> Datasets,
    int CapturedPredictions,
    int FeedbackLabels,
    IReadOnlyList<RetrainRequiredInfo> RetrainRequired,
    IReadOnlyList<string> RetrainingStarted,
    string Receipt);

public sealed record ErasedDatasetInfo(Guid Id, string Name, int RowsRemoved, int RowsRemaining, string Digest);

/// <summary>A model version trained on a dataset the erasure changed: flagged for retraining.</summary>
public sealed record RetrainRequiredInfo(string Model, int Version, string Stage, Guid DatasetId);

/// <summary>Everything a project holds about one subject (GDPR Art. 15).</summary>
public sealed record SubjectExportInfo(
    string Project, string SubjectHmac, DateTimeOffset ExportedAt, IReadOnlyList<SubjectDatasetInfo> Datasets, IReadOnlyList<SubjectCaptureInfo> CapturedPredictions);

public sealed record SubjectDatasetInfo(Guid DatasetId, string Name, IReadOnlyList<IReadOnlyDictionary<string, string>> Rows);

/// <summary>
/// A captured prediction about the subject. <paramref name="Body"/> is the request as captured: features listed in
/// <paramref name="Pseudonymised"/> hold keyed tokens (<c>ps_…</c>), their raw values were never stored. Null when the
/// body was withheld.
/// </summary>
public sealed record SubjectCaptureInfo(
    Guid PredictionId, string Model, int Version, DateTimeOffset At, string Protocol, JsonElement? Body, IReadOnlyList<string> Pseudonymised, IReadOnlyList<string> Outputs);

/// <summary>
/// A project's retention, in days. Captures (and their feedback): the project's value or the instance default
/// (<paramref name="CapturesDefault"/>). Datasets: null keeps them until deleted. Audit: instance-wide and read-only here
/// (hot in the database, total with the signed archives).
/// </summary>
public sealed record RetentionInfo(string Project, int CapturesDays, bool CapturesDefault, int? DatasetsDays, int AuditHotDays, int AuditTotalDays);

/// <summary>Body of <c>PUT /api/v1/projects/{p}/retention</c>: days, or null for the default.</summary>
public sealed record SetRetentionRequest(int? CapturesDays, int? DatasetsDays);

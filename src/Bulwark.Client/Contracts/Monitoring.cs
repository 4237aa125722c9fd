using System.Text.Json;

namespace Bulwark.Client.Contracts;

/// <summary>Body of <c>POST /api/v1/models/{name}/feedback</c>: the true outcome of one row of a served prediction.</summary>
/// <param name="PredictionId">The <c>predictionId</c> of the prediction response (also the <c>Bulwark-Prediction-Id</c> header).</param>
/// <param name="Label">A class name, or the value as a number in text for regression models.</param>
/// <param name="Row">Which row of the request (0 for single-row requests).</param>
public sealed record FeedbackRequest(Guid PredictionId, string Label, int Row = 0);

/// <param name="State">"pending" until its batch is judged, then "accepted", or "held" for review when one principal dominated the batch.</param>
public sealed record FeedbackReceipt(Guid Id, string State);

/// <summary>A reviewer's decision on a held batch.</summary>
public sealed record FeedbackDecision(Guid Batch, string State, int Labels);

public sealed record FeedbackBatchInfo(Guid Batch, string State, int Labels, int Principals, double TopShare, DateTimeOffset FirstAt, DateTimeOffset LastAt);

/// <param name="Status">"ok", "warn" or "alert".</param>
/// <param name="Findings">Live metrics, per-feature and prediction drift statistics, alerts and notes.</param>
public sealed record MonitoringReportInfo(Guid Id, int Version, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, int Rows, int Labels, string Status, JsonElement Findings);

public sealed record RetrainingRunInfo(Guid Id, string Trigger, Guid JobId, DateTimeOffset At, string State, int? Version, string? Detail);

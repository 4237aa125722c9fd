namespace Bulwark.Core.Telemetry;

/// <summary>One drift measurement for <c>bulwark.monitoring.drift_score</c>: a registered model, one of its schema's features, and the score.</summary>
internal readonly record struct DriftScore(string Model, string Feature, double Score);

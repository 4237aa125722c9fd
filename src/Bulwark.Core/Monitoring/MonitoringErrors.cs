namespace Bulwark.Core.Monitoring;

/// <summary>Stable problem codes of monitoring (feedback, evaluation, retraining).</summary>
internal static class MonitoringErrors
{
    public const string InvalidCode = "monitoring.invalid";
    public const string UnknownPredictionCode = "monitoring.prediction-unknown";
    public const string DuplicateCode = "monitoring.duplicate-feedback";
    public const string BatchNotFoundCode = "monitoring.batch-not-found";
    public const string BatchNotHeldCode = "monitoring.batch-not-held";
    public const string SelfReviewCode = "monitoring.self-review";

    public static Failure Invalid(string detail) => new(InvalidCode, 400, detail);

    /// <summary>404 whether the prediction does not exist, belongs to another model or project, or was not captured.</summary>
    public static Failure UnknownPrediction(string model) =>
        new(UnknownPredictionCode, 404, $"No captured prediction of model '{model}' has this id (requests above the capture size are not kept).");
}

using Bulwark.Core.Serving;

namespace Bulwark.Core.Monitoring;

/// <summary>What the model predicted for the profiled training rows, to compare live predictions against.</summary>
/// <param name="Task">"binary", "multiclass" or "regression".</param>
/// <param name="Scores">Binary: P(positive class); multiclass: the predicted class's probability; regression: the value.</param>
/// <param name="Classes">Classification: how often each class was predicted (binary at P ≥ 0.5, as served).</param>
/// <param name="PositiveClass">Binary: the class whose probability <paramref name="Scores"/> holds.</param>
internal sealed record PredictionProfile(string Task, NumericProfile Scores, CategoricalProfile? Classes, string? PositiveClass = null)
{
    /// <summary>
    /// The score of a prediction as callers received it (hardened: rounded), so the reference and live sides are
    /// measured alike; a rounded live score against unrounded training scores would look like drift at 0 and 1. Null for
    /// a prediction without one.
    /// </summary>
    public static double? ScoreOf(RowPrediction prediction, string task, string? positiveClass)
    {
        if (task == "regression")
        {
            return prediction.Value is { } value && double.IsFinite(value) ? value : null;
        }

        // Monitoring's precision (4 decimals) whatever the caller was shown.
        if (prediction.Label is not { } label || (prediction.MonitoredScore ?? prediction.Score) is not { } score || !double.IsFinite(score))
        {
            return null;
        }

        // Binary scores are the predicted class's probability: turned back into P(positive).
        return positiveClass is not null && label != positiveClass ? 1 - score : score;
    }
}

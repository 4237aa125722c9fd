namespace Bulwark.Core.Monitoring;

/// <summary>What the model predicted for the profiled training rows, to compare live predictions against.</summary>
/// <param name="Task">"binary", "multiclass" or "regression".</param>
/// <param name="Scores">Binary: P(positive class); multiclass: the predicted class's probability; regression: the value.</param>
/// <param name="Classes">Classification: how often each class was predicted (binary at P ≥ 0.5, as served).</param>
/// <param name="PositiveClass">Binary: the class whose probability <paramref name="Scores"/> holds.</param>
internal sealed record PredictionProfile(string Task, NumericProfile Scores, CategoricalProfile? Classes, string? PositiveClass = null);

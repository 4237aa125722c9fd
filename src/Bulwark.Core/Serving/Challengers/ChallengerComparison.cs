namespace Bulwark.Core.Serving;

/// <summary>Live metrics of one side on accepted feedback: accuracy and macro F1 for classifiers, RMSE and MAE for regression.</summary>
internal sealed record ChallengerArm(int Version, int Labels, double? Accuracy, double? F1, double? Rmse, double? Mae);

/// <summary>
/// Champion against challenger on accepted feedback since the challenger was set. <paramref name="Better"/> is "champion",
/// "challenger" or "tie" once each side has enough labels (by accuracy, or by RMSE for regression), otherwise null.
/// </summary>
internal sealed record ChallengerComparison(string Metric, ChallengerArm Champion, ChallengerArm Challenger, string? Better, string Note);

namespace Bulwark.Client.Contracts;

/// <summary>
/// Body of <c>PUT /api/v1/models/{name}/challenger</c>. <paramref name="Mode"/> is "split" (the challenger answers
/// <paramref name="Share"/> of the production traffic, above 0 and at most 0.5 by default) or "shadow" (it scores a copy
/// of every request in the background and answers nobody; no share).
/// </summary>
public sealed record ChallengerRequest(int Version, string Mode = "split", double? Share = null);

/// <summary>A model's challenger configuration and whether it takes traffic now (and if not, why).</summary>
public sealed record ChallengerConfigInfo(int Version, string Mode, double Share, bool Active, string? InactiveReason, string SetBy, DateTimeOffset SetAt);

/// <summary>One side's live metrics on accepted feedback: accuracy and macro F1 (classifiers) or RMSE and MAE (regression).</summary>
public sealed record ChallengerArmInfo(int Version, int Labels, double? Accuracy, double? F1, double? Rmse, double? Mae);

/// <param name="Better">"champion", "challenger" or "tie" once both sides have enough labels; null before.</param>
public sealed record ChallengerComparisonInfo(string Metric, ChallengerArmInfo Champion, ChallengerArmInfo Challenger, string? Better, string Note);

/// <summary>
/// <c>GET /api/v1/models/{name}/challenger</c>: the production version (champion), the challenger if one is set, and the
/// comparison of their live metrics since it was set.
/// </summary>
public sealed record ChallengerInfo(string Model, int? Champion, ChallengerConfigInfo? Challenger, ChallengerComparisonInfo? Comparison);

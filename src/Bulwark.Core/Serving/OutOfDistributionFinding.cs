namespace Bulwark.Core.Serving;

/// <summary>What the out-of-distribution guard found in one request (null from the guard when nothing was flagged).</summary>
/// <param name="FlaggedRows">How many rows were flagged.</param>
/// <param name="FirstRow">The 0-based index of the first flagged row.</param>
/// <param name="Joint">False: the first row has features outside the training range; true: each feature is in range but
/// their combination is far from the training rows (Mahalanobis distance).</param>
/// <param name="Features">The first row's features that tripped it (at most <see cref="OutOfDistributionGuard.MaxNamedFeatures"/>;
/// for a joint finding, those contributing most to the distance). Names only, never values.</param>
internal sealed record OutOfDistributionFinding(int FlaggedRows, int FirstRow, bool Joint, IReadOnlyList<string> Features);

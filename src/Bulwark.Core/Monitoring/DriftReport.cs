namespace Bulwark.Core.Monitoring;

/// <summary>Live data compared with a version's reference profile.</summary>
/// <param name="Rows">Live rows in the sample.</param>
/// <param name="Status">The worst status of any feature or the predictions.</param>
/// <param name="Features">One result per profiled feature, in schema order.</param>
/// <param name="Predictions">The predictions' drift; null when the profile or the sample has none.</param>
internal sealed record DriftReport(int Rows, DriftStatus Status, IReadOnlyList<DriftResult> Features, DriftResult? Predictions)
{
    /// <summary>The features at <paramref name="status"/> or worse.</summary>
    public IEnumerable<DriftResult> AtLeast(DriftStatus status) => Features.Where(f => f.Status >= status);
}

namespace Bulwark.Core.Monitoring;

/// <summary>The verdict on one distribution, ordered so the worst of several is their maximum.</summary>
internal enum DriftStatus
{
    /// <summary>Too few live values to say anything (<see cref="DriftThresholds.MinRows"/>).</summary>
    InsufficientData,
    Ok,
    Warn,
    Alert,
}

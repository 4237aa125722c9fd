namespace Bulwark.Core.Incidents.Detection;

/// <summary>A window reached its threshold: how many events, which ones, and whether the subject is already in cool-down.</summary>
internal readonly record struct ThresholdHit(int Count, long[] Evidence, bool IsContinuation);

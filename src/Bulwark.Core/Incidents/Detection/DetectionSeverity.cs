namespace Bulwark.Core.Incidents.Detection;

/// <summary>Severity names shared with incidents and alerts.</summary>
internal static class DetectionSeverity
{
    public const string Low = "low";
    public const string Medium = "medium";
    public const string High = "high";
    public const string Critical = "critical";
}

namespace Bulwark.Core.Monitoring;

/// <summary>The levels of a drift statistic and of a whole report.</summary>
internal static class DriftLevels
{
    public const string Ok = "ok";
    public const string Warn = "warn";
    public const string Alert = "alert";

    /// <summary>Too few live values to judge (a feature level only).</summary>
    public const string Insufficient = "insufficient";
}

namespace Bulwark.Core.Monitoring;

/// <summary>The levels of a drift statistic and of a whole report.</summary>
internal static class DriftLevels
{
    public const string Ok = "ok";
    public const string Warn = "warn";
    public const string Alert = "alert";
}

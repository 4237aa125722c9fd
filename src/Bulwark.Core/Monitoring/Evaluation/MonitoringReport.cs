namespace Bulwark.Core.Monitoring;

/// <summary>
/// One scheduled evaluation of a production model: live metrics on accepted feedback and drift of the served inputs and
/// predictions against the version's training reference, over the window since the previous evaluation.
/// </summary>
internal sealed class MonitoringReport
{
    public Guid Id { get; set; }
    public string ProjectId { get; set; } = "";
    public string ModelName { get; set; } = "";
    public int Version { get; set; }
    public DateTimeOffset WindowStart { get; set; }
    public DateTimeOffset WindowEnd { get; set; }

    /// <summary>Captured rows in the window.</summary>
    public int Rows { get; set; }

    /// <summary>Accepted feedback labels the live metrics were computed on.</summary>
    public int Labels { get; set; }

    /// <summary>"ok", "warn" (a statistic crossed its warning level) or "alert" (drift or a metric drop).</summary>
    public string Status { get; set; } = "ok";

    /// <summary>The findings as JSON (<see cref="MonitoringFindings"/>): statistics only, never input values.</summary>
    public string FindingsJson { get; set; } = "{}";
}

using System.Diagnostics;

namespace Bulwark.Core.Telemetry;

/// <summary>
/// The "Bulwark" <see cref="ActivitySource"/>: spans around predictions and training jobs. Without a listener (no trace
/// exporter configured) <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null and costs a flag check.
/// </summary>
internal static class BulwarkTracing
{
    public const string SourceName = "Bulwark";

    public static ActivitySource Source { get; } = new(SourceName, typeof(BulwarkTracing).Assembly.GetName().Version?.ToString());

    /// <summary>A span around one training job; the model name is the job's (validated when it was queued).</summary>
    public static Activity? StartTraining(string modelName, Guid jobId) =>
        Source.StartActivity("train")?.SetTag("bulwark.model.name", modelName).SetTag("bulwark.job.id", jobId.ToString());
}

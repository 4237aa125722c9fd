using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Privacy;

/// <summary>Runs <see cref="RetentionPurge"/> every <see cref="PrivacyOptions.PurgeInterval"/> (daily by default), on the injected clock.</summary>
internal sealed partial class RetentionWorker(RetentionPurge purge, IOptions<PrivacyOptions> options, TimeProvider time, ILogger<RetentionWorker> logger) : BackgroundService
{
    /// <summary>One pass (tests call it directly; the schedule calls it daily).</summary>
    public Task<RetentionReport> RunOnceAsync(CancellationToken ct = default) => purge.RunAsync(ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ScheduledPurge)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.PurgeInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var report = await RunOnceAsync(stoppingToken);
                    LogPurged(logger, report.Captures, report.FeedbackLabels, report.Datasets);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(EventId = 7110, Level = LogLevel.Information, Message = "Retention: {Captures} captures, {Labels} feedback labels, {Datasets} datasets purged")]
    private static partial void LogPurged(ILogger logger, int captures, int labels, int datasets);

    [LoggerMessage(EventId = 7111, Level = LogLevel.Error, Message = "A retention pass failed; retrying at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

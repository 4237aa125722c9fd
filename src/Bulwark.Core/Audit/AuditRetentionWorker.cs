using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Audit;

/// <summary>Runs the ledger's retention every <see cref="AuditOptions.RetentionInterval"/>: archive, then purge expired archives.</summary>
internal sealed partial class AuditRetentionWorker(AuditArchiver archiver, IOptions<AuditOptions> options, TimeProvider time, ILogger<AuditRetentionWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RetentionInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var archived = await archiver.ArchiveAsync("system", null, stoppingToken);
                    var purged = await archiver.PurgeAsync("system", null, stoppingToken);
                    LogRetention(logger, archived?.EventCount ?? 0, purged.Count);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogRetentionFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "Audit retention: {Archived} events archived, {Purged} expired archive files deleted")]
    private static partial void LogRetention(ILogger logger, long archived, int purged);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Error, Message = "Audit retention failed; nothing was deleted that was not verified, retrying at the next interval")]
    private static partial void LogRetentionFailed(ILogger logger, Exception exception);
}

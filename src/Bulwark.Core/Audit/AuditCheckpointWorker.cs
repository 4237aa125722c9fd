using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Audit;

/// <summary>Signs a checkpoint every <see cref="AuditOptions.CheckpointInterval"/> when the ledger grew, and once more at shutdown.</summary>
internal sealed partial class AuditCheckpointWorker(AuditCheckpointer checkpointer, IOptions<AuditOptions> options, TimeProvider time,
    ILogger<AuditCheckpointWorker> logger) : BackgroundService
{
    public const string Actor = "system";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckpointInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await TryCheckpointAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);

        // The last events before a shutdown are covered too, so a restart does not open a truncation window.
        await TryCheckpointAsync(cancellationToken);
    }

    private async Task TryCheckpointAsync(CancellationToken cancellationToken)
    {
        try
        {
            await checkpointer.CheckpointAsync(Actor, null, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCheckpointFailed(logger, ex);
        }
    }

    [LoggerMessage(EventId = 5003, Level = LogLevel.Error, Message = "Signing an audit checkpoint failed; retrying at the next interval")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);
}

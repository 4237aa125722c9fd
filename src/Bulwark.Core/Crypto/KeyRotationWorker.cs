using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Crypto;

/// <summary>
/// Scheduled rotation: every <see cref="KeysOptions.CheckEvery"/>, replaces the primary once it is older than
/// <see cref="KeysOptions.RotateEvery"/> (default 90 days). Old data stays readable; rewrapping it is a separate step.
/// </summary>
internal sealed partial class KeyRotationWorker(KeyRingService keyRing, IOptions<KeysOptions> options, TimeProvider time, ILogger<KeyRotationWorker> logger)
    : BackgroundService
{
    /// <summary>Rotates when the primary is due; returns the new version id, or null when nothing was due.</summary>
    public async Task<string?> RotateIfDueAsync(CancellationToken cancellationToken = default)
    {
        if (!options.Value.ScheduledRotation)
        {
            return null;
        }

        // The age is checked under the ring service's gate, so a check racing another rotation rotates at most once.
        return (await keyRing.RotateIfOlderThanAsync(options.Value.RotateEvery, time.GetUtcNow(), cancellationToken))?.Id;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckEvery, time);
        try
        {
            do
            {
                try
                {
                    if (await RotateIfDueAsync(stoppingToken) is { } id)
                    {
                        LogRotated(logger, id);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogRotationFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(EventId = 7000, Level = LogLevel.Information, Message = "Scheduled key rotation: master key version {VersionId} is now primary")]
    private static partial void LogRotated(ILogger logger, string versionId);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Error, Message = "Scheduled key rotation failed; the current primary stays in use, retrying at the next check")]
    private static partial void LogRotationFailed(ILogger logger, Exception exception);
}

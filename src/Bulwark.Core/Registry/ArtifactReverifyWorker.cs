using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Registry;

/// <summary>Re-verifies every stored artifact shortly after start and then every <see cref="RegistryOptions.ReverifyInterval"/>.</summary>
internal sealed partial class ArtifactReverifyWorker(ArtifactReverifier reverifier, IOptions<RegistryOptions> options, TimeProvider time,
    ILogger<ArtifactReverifyWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // At start, off the start-up path: a large registry must not delay readiness.
            if (options.Value.ReverifyOnStart)
            {
                await Task.Delay(TimeSpan.FromSeconds(5), time, stoppingToken);
                await RunAsync(stoppingToken);
            }

            using var timer = new PeriodicTimer(options.Value.ReverifyInterval, time);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RunAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            var report = await reverifier.ReverifyAllAsync("system", null, stoppingToken);
            LogReverified(logger, report.Checked, report.Failures.Count);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReverifyFailed(logger, ex);
        }
    }

    [LoggerMessage(EventId = 3033, Level = LogLevel.Information, Message = "Re-verified {Checked} model versions; {Failed} failed")]
    private static partial void LogReverified(ILogger logger, int @checked, int failed);

    [LoggerMessage(EventId = 3034, Level = LogLevel.Error, Message = "Re-verifying model artifacts failed; retrying at the next interval")]
    private static partial void LogReverifyFailed(ILogger logger, Exception exception);
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Incidents.Containment;

/// <summary>Re-reads the containment controls every second (by default), so a control applied on one replica reaches all of them.</summary>
internal sealed partial class ContainmentSync(ContainmentState state, IOptions<IncidentsOptions> options, TimeProvider time, ILogger<ContainmentSync> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ContainmentSyncInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await state.SyncAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The last known controls stay in force: failing open here would lift a lockdown on a database hiccup.
                    LogSyncFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(EventId = 6200, Level = LogLevel.Warning, Message = "Reading containment controls failed; the last known controls stay in force")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception);
}

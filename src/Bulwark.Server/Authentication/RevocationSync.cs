using Bulwark.Core.Identity;

namespace Bulwark.Server.Authentication;

/// <summary>
/// Polls the revocation and policy tables every second so a revocation written by another replica applies here within a second
/// (DESIGN.md: revocation reaches every replica within a second). Revocations made in this process apply at once.
/// The cadence is wall-clock time on purpose, not the injected clock: a poll has nothing to do with business time, and a
/// test that moves the clock a year ahead must not replay thirty million polls.
/// </summary>
internal sealed partial class RevocationSync(RevocationList revocations, Core.Access.PolicyStore policies, ILogger<RevocationSync> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), TimeProvider.System);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await revocations.SyncAsync(stoppingToken);

                // A policy version activated by another replica applies here within a second too.
                await policies.RefreshAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSyncFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "Revocation sync failed; retrying in a second")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception);
}

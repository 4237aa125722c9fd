using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Training;

/// <summary>
/// Runs queued training jobs in the background, at most <see cref="TrainingOptions.MaxConcurrentJobs"/> at once. On
/// start it recovers jobs a previous process left behind (see <see cref="TrainingRunner.RecoverAsync"/>).
/// </summary>
internal sealed partial class TrainingWorker(
    TrainingQueue queue,
    IServiceScopeFactory scopes,
    IOptions<TrainingOptions> options,
    ILogger<TrainingWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // never hold up host start-up
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            foreach (var id in await scope.ServiceProvider.GetRequiredService<TrainingRunner>().RecoverAsync(stoppingToken))
            {
                queue.Enqueue(id);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            Log.RecoveryFailed(logger, ex);
        }

        await Task.WhenAll(Enumerable.Range(0, options.Value.MaxConcurrentJobs).Select(_ => ConsumeAsync(stoppingToken)));
    }

    private async Task ConsumeAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var id in queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<TrainingRunner>().RunAsync(id, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    // The runner already fails the job on training errors; this is the database itself failing.
                    Log.JobCrashed(logger, ex, id);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(3110, LogLevel.Error, "Recovering interrupted training jobs failed")]
        public static partial void RecoveryFailed(ILogger logger, Exception exception);

        [LoggerMessage(3111, LogLevel.Error, "Training job {JobId} could not be run")]
        public static partial void JobCrashed(ILogger logger, Exception exception, Guid jobId);
    }
}

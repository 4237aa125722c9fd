using Bulwark.Core.Projects;
using Bulwark.Core.Registry;
using Bulwark.Core.Storage;
using Cronos;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Monitoring;

/// <summary>
/// The scheduled side of monitoring, on <see cref="MonitoringOptions.EvaluationSchedule"/> (cron, UTC): moves finished
/// retrainings on to staging and evaluates every production model of every project. <see cref="RunOnceAsync"/> is one
/// such pass. Captures and feedback past their retention are purged by <c>Privacy.RetentionWorker</c> (per project).
/// </summary>
internal sealed partial class MonitoringWorker(
    IServiceScopeFactory scopes, IDbContextFactory<BulwarkDbContext> contexts, IOptions<MonitoringOptions> options, TimeProvider time,
    ILogger<MonitoringWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ScheduledEvaluation)
        {
            return;
        }

        var schedule = CronExpression.Parse(options.Value.EvaluationSchedule);
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var next = schedule.GetNextOccurrence(now.UtcDateTime, TimeZoneInfo.Utc);
            if (next is null)
            {
                return;
            }

            await Task.Delay(next.Value - now.UtcDateTime, time, stoppingToken);
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPassFailed(logger, ex);
            }
        }
    }

    /// <summary>One pass over every project; returns the number of models evaluated.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct = default)
    {
        List<(string Project, string Model)> models;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            models = (await db.ModelVersions.IgnoreQueryFilters().AsNoTracking().Where(v => v.Stage == ModelStage.Production)
                .Select(v => new { v.ProjectId, v.ModelName }).Distinct().ToListAsync(ct)).Select(m => (m.ProjectId, m.ModelName)).ToList();
            var projects = await db.RetrainingRuns.IgnoreQueryFilters().Where(r => r.State == RetrainingStates.Training).Select(r => r.ProjectId).Distinct().ToListAsync(ct);
            foreach (var project in projects)
            {
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<ProjectScope>().Enter(project);
                await scope.ServiceProvider.GetRequiredService<RetrainingService>().AdvanceAsync(ct);
            }
        }

        var evaluated = 0;
        foreach (var (project, model) in models)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<ProjectScope>().Enter(project);
            var outcome = await scope.ServiceProvider.GetRequiredService<ModelMonitor>().EvaluateAsync(model, ct);
            if (outcome.Succeeded)
            {
                evaluated++;
            }
            else
            {
                LogEvaluationFailed(logger, model, outcome.Failure.Code);
            }
        }

        return evaluated;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "A monitoring pass failed")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Model {Model} was not evaluated ({Code})")]
    private static partial void LogEvaluationFailed(ILogger logger, string model, string code);
}

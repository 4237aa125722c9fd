using System.Globalization;
using Bulwark.Core.Incidents.Alerts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Incidents;

/// <summary>Checks the regulatory clocks of open incidents and sends each reminder once (timeline, audit, alert).</summary>
internal sealed partial class IncidentDeadlineWorker(IServiceScopeFactory scopes, AlertDispatcher alerts, IOptions<IncidentsOptions> options, TimeProvider time,
    ILogger<IncidentDeadlineWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.DeadlineCheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
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

    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var due = await scope.ServiceProvider.GetRequiredService<IncidentService>().RecordDueRemindersAsync(options.Value, cancellationToken);
        foreach (var (incident, reminder) in due)
        {
            var severity = reminder.Lead == TimeSpan.Zero ? IncidentSeverity.Critical : IncidentSeverity.High;
            await alerts.EnqueueAsync(new Alert(Guid.CreateVersion7(time.GetUtcNow()).ToString("N"), "incident.deadline", severity,
                $"{reminder.Deadline.Description}: due {reminder.Deadline.DueAt.ToString("u", CultureInfo.InvariantCulture)}",
                "INC-" + incident.Number.ToString(CultureInfo.InvariantCulture), time.GetUtcNow(),
                new Dictionary<string, string> { ["deadline"] = reminder.Deadline.Id, ["reminder"] = reminder.Id }));
        }

        return due.Count;
    }

    [LoggerMessage(EventId = 6012, Level = LogLevel.Error, Message = "Checking incident deadlines failed; retrying")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

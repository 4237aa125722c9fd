using System.Globalization;
using Bulwark.Core.Audit;
using Bulwark.Core.Compliance.Redaction;
using Bulwark.Core.Incidents.Alerts;
using Bulwark.Core.Incidents.Detection;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Incidents;

/// <summary>
/// Tails the audit ledger, runs the detection rules over each new event once, and turns detections into incidents and
/// alerts. Reading the ledger (rather than hooking the writers) means every event is seen, whichever replica wrote it,
/// and a persisted cursor means a restart neither misses nor repeats one.
/// </summary>
/// <remarks>
/// Every detection opens an incident or joins the open incident of the same rule and subject (so an administrator's
/// day of role grants is one low-severity incident, not fifty). On start the recent past is replayed into the rules
/// without acting on it, so windows and the API-key baselines survive a restart.
/// </remarks>
internal sealed partial class DetectionWorker(
    IDbContextFactory<BulwarkDbContext> contexts,
    DetectionEngine engine,
    IServiceScopeFactory scopes,
    AlertDispatcher alerts,
    IOptions<IncidentsOptions> options,
    TimeProvider time,
    ILogger<DetectionWorker> logger) : BackgroundService
{
    private const int BatchSize = 500;
    private static readonly TimeSpan ReplayWindow = TimeSpan.FromHours(25);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _cursor = -1;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.DetectionInterval, time);
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
                    LogDetectionFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>Processes every event written since the last run; returns how many detections it acted on.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_cursor < 0)
            {
                _cursor = await WarmUpAsync(cancellationToken);
            }

            var acted = 0;
            while (true)
            {
                List<AuditEvent> batch;
                await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
                {
                    var after = _cursor;
                    batch = await db.AuditEvents.AsNoTracking().Where(e => e.Sequence > after).OrderBy(e => e.Sequence).Take(BatchSize).ToListAsync(cancellationToken);
                }

                if (batch.Count == 0)
                {
                    return acted;
                }

                foreach (var e in batch)
                {
                    foreach (var detection in engine.Observe(e))
                    {
                        await ActAsync(detection, cancellationToken);
                        acted++;
                    }
                }

                _cursor = batch[^1].Sequence;
                await SaveCursorAsync(_cursor, cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ActAsync(SecurityDetection detection, CancellationToken cancellationToken)
    {
        LogDetection(logger, detection.RuleId, detection.Severity, detection.Subject, detection.Title);
        await using var scope = scopes.CreateAsyncScope();
        var incidents = scope.ServiceProvider.GetRequiredService<IncidentService>();
        var (incident, escalated) = await incidents.RecordSignalAsync(new IncidentSignal(detection.RuleId, detection.Severity, detection.Subject,
            detection.Title, detection.Summary, detection.ProjectId, detection.EvidenceSequences, detection.Facts), cancellationToken);

        // One alert when an incident opens or gets worse, not one per further detection of the same attack.
        if (escalated)
        {
            await alerts.EnqueueAsync(new Alert(Guid.CreateVersion7(time.GetUtcNow()).ToString("N"), detection.RuleId, detection.Severity, detection.Title,
                "INC-" + incident.Number.ToString(CultureInfo.InvariantCulture), detection.At, detection.Facts));
        }
    }

    /// <summary>Feeds the recent past to the rules without acting on it and returns the saved cursor.</summary>
    private async Task<long> WarmUpAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var cursor = await db.DetectionCursors.AsNoTracking().Where(c => c.Id == 1).Select(c => (long?)c.Sequence).FirstOrDefaultAsync(cancellationToken);
        if (cursor is null)
        {
            // First run on this ledger: everything already in it is history, not news.
            cursor = await db.AuditEvents.MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0;
        }

        var since = time.GetUtcNow() - ReplayWindow;
        await foreach (var e in db.AuditEvents.AsNoTracking().Where(e => e.Sequence <= cursor && e.Timestamp >= since).OrderBy(e => e.Sequence)
            .AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            _ = engine.Observe(e);
        }

        return cursor.Value;
    }

    private async Task SaveCursorAsync(long sequence, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.DetectionCursors.FirstOrDefaultAsync(c => c.Id == 1, cancellationToken);
        if (row is null)
        {
            db.DetectionCursors.Add(new DetectionCursor { Id = 1, Sequence = sequence });
        }
        else
        {
            row.Sequence = sequence;
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 6010, EventName = "SecurityDetection", Level = LogLevel.Warning, Message = "Detection {Rule} ({Severity}) on {Subject}: {Title}")]
    private static partial void LogDetection(ILogger logger, string rule, string severity, [PersonalData] string subject, [PersonalData] string title);

    [LoggerMessage(EventId = 6011, Level = LogLevel.Error, Message = "Running the detection rules failed; retrying")]
    private static partial void LogDetectionFailed(ILogger logger, Exception exception);
}

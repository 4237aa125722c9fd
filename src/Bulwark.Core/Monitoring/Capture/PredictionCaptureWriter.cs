using Bulwark.Core.Crypto;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bulwark.Core.Monitoring;

/// <summary>Drains <see cref="PredictionCapture"/> in batches: seals each request and inserts the batch in one transaction.</summary>
internal sealed partial class PredictionCaptureWriter(
    PredictionCapture capture, IDbContextFactory<BulwarkDbContext> contexts, EnvelopeEncryption sealer, ILogger<PredictionCaptureWriter> logger) : BackgroundService
{
    private const int BatchSize = 256;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = capture.Reader;
        var batch = new List<PendingCapture>(BatchSize);
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < BatchSize && reader.TryRead(out var item))
                {
                    batch.Add(item);
                }

                await WriteAsync(batch, stoppingToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: write what is already queued, then stop.
            while (reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            await WriteAsync(batch, CancellationToken.None);
        }
    }

    /// <summary>Writes everything queued now (tests and shutdown).</summary>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        var batch = new List<PendingCapture>();
        while (capture.Reader.TryRead(out var item))
        {
            batch.Add(item);
        }

        await WriteAsync(batch, ct);
    }

    private async Task WriteAsync(List<PendingCapture> batch, CancellationToken ct)
    {
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            foreach (var p in batch)
            {
                db.CapturedPredictions.Add(new CapturedPrediction
                {
                    Id = p.Id,
                    ProjectId = p.ProjectId,
                    ModelName = p.ModelName,
                    Version = p.Version,
                    VersionId = p.VersionId,
                    Principal = p.Principal,
                    At = p.At,
                    Rows = p.Outputs.Count,
                    Protocol = p.Protocol,
                    ShadowOf = p.ShadowOf,
                    Payload = new CapturePayload(p.Body, p.Outputs).Seal(sealer, p.Id),
                });
            }

            await db.SaveChangesAsync(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Monitoring data is best effort; the predictions themselves were served and audited.
            LogWriteFailed(logger, ex, batch.Count);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Could not store {Count} captured predictions")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count);
}

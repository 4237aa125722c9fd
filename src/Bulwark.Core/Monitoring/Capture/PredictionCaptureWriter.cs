using System.Text.Json.Nodes;
using Bulwark.Core.Crypto;
using Bulwark.Core.Privacy;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bulwark.Core.Monitoring;

/// <summary>
/// Drains <see cref="PredictionCapture"/> in batches: pseudonymises the personal features of each request (GDPR Art. 5(1)(c)
/// data minimisation, Art. 25), seals it and inserts the batch in one transaction.
/// </summary>
internal sealed partial class PredictionCaptureWriter(
    PredictionCapture capture, IDbContextFactory<BulwarkDbContext> contexts, EnvelopeEncryption sealer, CaptureColumns personal, CapturePseudonyms pseudonyms,
    ILogger<PredictionCaptureWriter> logger) : BackgroundService
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
                var payload = await MinimiseAsync(p, ct);
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
                    SubjectPseudonym = p.Subject is { } subject ? pseudonyms.Of(p.ProjectId, subject) : null,
                    Payload = payload.Seal(sealer, p.Id),
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

    /// <summary>
    /// The payload to seal: personal features replaced by their keyed tokens. When that cannot be done with certainty (the
    /// training dataset is unreadable, an OIP tensor holds every feature unnamed, the body does not parse) the body is
    /// withheld: monitoring loses a sample, a personal value is never kept.
    /// </summary>
    private async Task<CapturePayload> MinimiseAsync(PendingCapture p, CancellationToken ct)
    {
        var columns = await personal.ForVersionAsync(p.VersionId, ct);
        if (columns is { Count: 0 })
        {
            return new CapturePayload(p.Body, p.Outputs);
        }

        if (columns is null)
        {
            return new CapturePayload([], p.Outputs, BodyWithheld: true);
        }

        var minimised = CaptureBodies.Rewrite(p.Body, p.Protocol, columns,
            (_, cell) => JsonValue.Create(pseudonyms.Token(p.ProjectId, CaptureBodies.TextOf(cell))), _ => "BYTES", out var rewritten);
        return minimised is null ? new CapturePayload([], p.Outputs, BodyWithheld: true) : new CapturePayload(minimised, p.Outputs, rewritten);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Could not store {Count} captured predictions")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count);
}

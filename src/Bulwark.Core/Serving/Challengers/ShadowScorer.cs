using System.Threading.Channels;
using Bulwark.Core.Identity;
using Bulwark.Core.Monitoring;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Serving;

/// <summary>
/// Scores shadow copies of served requests with the challenger, off the hot path: a bounded queue the prediction path
/// writes to without waiting (full → the copy is dropped and counted), drained by one background reader. The challenger's
/// outputs are captured against the champion's prediction id (<see cref="CapturedPrediction.ShadowOf"/>) so feedback
/// on that id scores both. The route is looked up again for every item, so a challenger quarantined or cleared while
/// items wait scores none of them.
/// </summary>
internal sealed partial class ShadowScorer(
    ChallengerRouter router,
    LoadedModelCache cache,
    PredictionCapture capture,
    IOptions<ServingOptions> options,
    TimeProvider time,
    ILogger<ShadowScorer> logger) : BackgroundService
{
    private readonly Channel<ShadowRequest> _queue = Channel.CreateBounded<ShadowRequest>(new BoundedChannelOptions(options.Value.ShadowQueue)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private long _dropped;

    /// <summary>Shadow requests dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues a copy of a served request; never blocks, never throws.</summary>
    public bool TryEnqueue(ShadowRequest request)
    {
        if (_queue.Writer.TryWrite(request))
        {
            return true;
        }

        Interlocked.Increment(ref _dropped);
        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (_queue.Reader.TryRead(out var request))
                {
                    await ScoreAsync(request, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: queued shadow requests are monitoring samples, not answers; they are let go.
        }
    }

    /// <summary>Scores everything queued now (tests).</summary>
    public async Task DrainAsync(CancellationToken ct = default)
    {
        while (_queue.Reader.TryRead(out var request))
        {
            await ScoreAsync(request, ct);
        }
    }

    private async Task ScoreAsync(ShadowRequest request, CancellationToken ct)
    {
        try
        {
            var route = await router.RouteAsync(request.ProjectId, request.ModelName, ct);
            if (!route.Active || route.Config!.Mode != ChallengerModes.Shadow || route.Row!.Id != request.ChallengerId)
            {
                return;
            }

            var acquired = await cache.AcquireAsync(route.Row, ct);
            if (!acquired.Succeeded)
            {
                return;
            }

            var model = acquired.Value;
            try
            {
                // No extraction-guard charge and no out-of-distribution refusal: the caller already got the champion's answer.
                var call = new PredictionCall(request.ModelName, model.Version, request.Body, request.Protocol, request.Principal, null, false);
                var outcome = PredictionService.Run(call, model, options.Value.MaxBatch, logger);
                if (!outcome.Succeeded)
                {
                    return;
                }

                var outputs = outcome.Value.Predictions.Select(CapturedOutput.Of).ToArray();
                var now = time.GetUtcNow();
                capture.TryCapture(new PendingCapture(Guid.CreateVersion7(now), request.ProjectId, request.ModelName, model.Version, model.VersionId,
                    request.Principal.Id, now, request.Protocol == PredictionProtocol.OipV2 ? "oip-v2" : "v1", [], outputs, ShadowOf: request.PredictionId));
            }
            finally
            {
                model.Release();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogShadowFailed(logger, ex, request.ModelName);
        }
    }

    [LoggerMessage(EventId = 4110, Level = LogLevel.Warning, Message = "Shadow scoring of a {Model} request failed")]
    private static partial void LogShadowFailed(ILogger logger, Exception exception, string model);
}

/// <summary>A served request copied for the challenger (plaintext only in memory).</summary>
internal sealed record ShadowRequest(Guid PredictionId, string ProjectId, string ModelName, Guid ChallengerId, PredictionProtocol Protocol, byte[] Body,
    BulwarkPrincipal Principal);

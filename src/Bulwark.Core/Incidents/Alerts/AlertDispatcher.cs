using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Incidents.Alerts;

/// <summary>
/// The one entry point for raising a security alert. <see cref="EnqueueAsync"/> logs the alert at once and queues it for
/// webhook delivery; <see cref="RunAsync"/> (hosted by <see cref="AlertDeliveryService"/>) posts each queued alert to
/// every webhook, retrying transient failures with exponential backoff.
/// </summary>
/// <remarks>
/// The log line is written on enqueue, not on delivery, because the log is the record of last resort: a burst that
/// overflows the bounded queue (or a process that stops) may cost webhook deliveries, never the log line. When the
/// queue is full the oldest alert is dropped, as the newest says most about an attack in progress; drops are counted
/// and logged.
/// </remarks>
internal sealed class AlertDispatcher
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(5);

    private readonly AlertOptions _options;
    private readonly WebhookSender _sender;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Alert> _queue;
    private long _dropped;

    public AlertDispatcher(IOptions<AlertOptions> options, WebhookSender sender, TimeProvider time, ILogger<AlertDispatcher> logger)
    {
        _options = options.Value;
        _sender = sender;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<Alert>(
            new BoundedChannelOptions(_options.QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            OnDropped);
    }

    /// <summary>Alerts dropped from a full queue since start (each was logged, but not sent to the webhooks).</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Raised once per alert and webhook when delivery has ended, delivered or not.</summary>
    public event EventHandler<AlertDeliveryOutcome>? DeliveryCompleted;

    /// <summary>
    /// Logs <paramref name="alert"/> (event <c>SecurityAlert</c>) and queues it for the webhooks. Never waits for the
    /// network; completes synchronously.
    /// </summary>
    public ValueTask EnqueueAsync(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        AlertsLog.SecurityAlert(_logger, AlertsLog.OneLine(alert.Id), AlertsLog.OneLine(alert.RuleId), AlertsLog.OneLine(alert.Severity),
            AlertsLog.OneLine(alert.IncidentId), AlertsLog.OneLine(alert.Title));
        if (_options.Webhooks.Count > 0)
        {
            _queue.Writer.TryWrite(alert); // DropOldest: always accepted
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Delivers queued alerts until <paramref name="stoppingToken"/> fires; alerts still queued then are not sent.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // never hold up host start-up
        try
        {
            await foreach (var alert in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                // In parallel, so one stalled receiver does not hold up the others.
                await Task.WhenAll(_options.Webhooks.Select(webhook => DeliverAsync(alert, webhook, stoppingToken)));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Exponential backoff with equal jitter: half the doubled delay is fixed, half random, so receivers that failed
    /// together are not retried in lockstep.
    /// </summary>
    internal static TimeSpan RetryDelay(TimeSpan first, int retry)
    {
        var full = Math.Min(first.TotalMilliseconds * Math.Pow(2, retry - 1), MaxRetryDelay.TotalMilliseconds);
        var half = (int)(full / 2);
        return TimeSpan.FromMilliseconds(half + RandomNumberGenerator.GetInt32(half + 1));
    }

    private async Task DeliverAsync(Alert alert, WebhookTarget webhook, CancellationToken stoppingToken)
    {
        var name = AlertsLog.OneLine(webhook.DisplayName);
        var id = AlertsLog.OneLine(alert.Id);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var result = await _sender.SendAsync(webhook, alert, stoppingToken);
                if (result.Status == WebhookDeliveryStatus.Delivered)
                {
                    AlertsLog.AlertDelivered(_logger, id, name, result.StatusCode, attempt);
                    Completed(new AlertDeliveryOutcome(alert, webhook.DisplayName, result, attempt));
                    return;
                }

                if (!result.IsRetryable || attempt > _options.MaxRetries)
                {
                    AlertsLog.AlertDeliveryFailed(_logger, id, name, attempt, result.Status, result.StatusCode, result.Detail);
                    Completed(new AlertDeliveryOutcome(alert, webhook.DisplayName, result, attempt));
                    return;
                }

                var delay = RetryDelay(_options.RetryDelay, attempt);
                AlertsLog.AlertDeliveryRetrying(_logger, id, name, attempt, result.Status, result.StatusCode, result.Detail, delay);
                await Task.Delay(delay, _time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // A bug here must not stop the delivery loop for every later alert.
            AlertsLog.AlertDeliveryCrashed(_logger, ex, id, name);
        }
    }

    private void Completed(AlertDeliveryOutcome outcome) => DeliveryCompleted?.Invoke(this, outcome);

    private void OnDropped(Alert alert)
    {
        var dropped = Interlocked.Increment(ref _dropped);
        AlertsLog.AlertDropped(_logger, AlertsLog.OneLine(alert.Id), AlertsLog.OneLine(alert.RuleId), dropped);
    }
}

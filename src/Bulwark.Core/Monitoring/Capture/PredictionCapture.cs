using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Monitoring;

/// <summary>
/// The hot path's side of capture: a bounded queue that never blocks or fails a prediction. When the writer falls
/// behind, new captures are dropped and counted (monitoring loses a sample, the caller loses nothing).
/// </summary>
internal sealed class PredictionCapture
{
    private readonly Channel<PendingCapture> _queue;
    private readonly MonitoringOptions _options;
    private long _dropped;

    public PredictionCapture(IOptions<MonitoringOptions> options)
    {
        _options = options.Value;
        _queue = Channel.CreateBounded<PendingCapture>(new BoundedChannelOptions(_options.CaptureQueue)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });
    }

    public ChannelReader<PendingCapture> Reader => _queue.Reader;

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Whether a request of this size is captured at all (so the response can say whether feedback is possible).</summary>
    public bool Accepts(int bodyBytes) => _options.Capture && bodyBytes <= _options.MaxCapturedBodyBytes;

    public bool TryCapture(PendingCapture capture)
    {
        if (!Accepts(capture.Body.Length))
        {
            return false;
        }

        if (_queue.Writer.TryWrite(capture))
        {
            return true;
        }

        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Stops accepting; the writer drains what is queued.</summary>
    public void Complete() => _queue.Writer.TryComplete();
}

/// <summary>A served request on its way to the capture table (plaintext only in memory).</summary>
internal sealed record PendingCapture(
    Guid Id, string ProjectId, string ModelName, int Version, Guid VersionId, string Principal, DateTimeOffset At, string Protocol, byte[] Body,
    IReadOnlyList<CapturedOutput> Outputs, Guid? ShadowOf = null)
{
    /// <summary>The subject key the caller named; the writer stores only its HMAC.</summary>
    public string? Subject { get; init; }
}

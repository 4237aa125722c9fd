using System.Threading.Channels;

namespace Bulwark.Core.Training;

/// <summary>
/// Hands submitted job ids to the <see cref="TrainingWorker"/>. In memory only: the database row is the durable
/// record, and the worker re-queues rows still Queued after a restart.
/// </summary>
internal sealed class TrainingQueue
{
    private readonly Channel<Guid> _channel = Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleWriter = false });

    public ChannelReader<Guid> Reader => _channel.Reader;

    public void Enqueue(Guid jobId)
    {
        // Unbounded and never completed while the process lives, so a write cannot fail.
        _channel.Writer.TryWrite(jobId);
    }
}

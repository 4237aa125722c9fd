namespace Bulwark.Core.Incidents;

/// <summary>
/// Serialises handing out incident numbers ("highest + 1") within this process, so a responder and the detection worker
/// opening incidents at the same moment do not both take the same number. Other replicas can still collide: the unique
/// index refuses the second, and <see cref="IncidentService"/> retries with the next number.
/// </summary>
internal sealed class IncidentNumberGate : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        return new Releaser(_gate);
    }

    public void Dispose() => _gate.Dispose();

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}

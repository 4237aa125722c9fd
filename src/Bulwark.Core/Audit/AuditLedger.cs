using System.Threading.Channels;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Audit;

/// <summary>
/// Appends to the hash-chained audit ledger. Writers are serialised so the chain stays linear; state changes call
/// <c>SaveChangesAsync</c> so the event commits in the same transaction as the change it records, and the
/// prediction path uses <see cref="AppendAsync"/>, which group-commits concurrent events in one transaction and
/// returns only once they are durable.
/// </summary>
/// <remarks>
/// The lock is per process. A scaled-out deployment needs a database-side lock around the head read (PostgreSQL
/// advisory lock); the unique primary key on the sequence already makes a forked chain fail instead of committing.
/// </remarks>
internal sealed class AuditLedger : IAsyncDisposable
{
    private const int MaxBatch = 256;
    private readonly IDbContextFactory<BulwarkDbContext> _contexts;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Channel<(AuditEntry Entry, TaskCompletionSource Done)> _queue =
        Channel.CreateUnbounded<(AuditEntry, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private (long Sequence, string Hash)? _head;

    public AuditLedger(IDbContextFactory<BulwarkDbContext> contexts, TimeProvider time)
    {
        _contexts = contexts;
        _time = time;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Adds <paramref name="entries"/> to <paramref name="db"/> and saves every pending change with them atomically.</summary>
    public async Task SaveChangesAsync(BulwarkDbContext db, IEnumerable<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var head = _head ?? await ReadHeadAsync(db, cancellationToken);
            var added = Chain(head, entries);
            db.AuditEvents.AddRange(added);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch
            {
                foreach (var e in added)
                {
                    db.Entry(e).State = EntityState.Detached;
                }

                _head = null;
                throw;
            }

            _head = added.Count > 0 ? (added[^1].Sequence, added[^1].Hash) : head;
        }
        finally
        {
            _lock.Release();
        }
    }

    public Task SaveChangesAsync(BulwarkDbContext db, AuditEntry entry, CancellationToken cancellationToken = default) =>
        SaveChangesAsync(db, [entry], cancellationToken);

    /// <summary>Appends one event on its own (no other change) and completes when it is committed.</summary>
    public Task AppendAsync(AuditEntry entry)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((entry, done)))
        {
            done.SetException(new InvalidOperationException("The audit ledger is shut down."));
        }

        return done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<(AuditEntry Entry, TaskCompletionSource Done)>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            try
            {
                await using var db = await _contexts.CreateDbContextAsync();
                await SaveChangesAsync(db, batch.Select(b => b.Entry));
                foreach (var item in batch)
                {
                    item.Done.TrySetResult();
                }
            }
            catch (Exception ex)
            {
                foreach (var item in batch)
                {
                    item.Done.TrySetException(ex);
                }
            }
        }
    }

    private List<AuditEvent> Chain((long Sequence, string Hash) head, IEnumerable<AuditEntry> entries)
    {
        var now = AuditHasher.Normalize(_time.GetUtcNow());
        var list = new List<AuditEvent>();
        var (sequence, previous) = head;
        foreach (var entry in entries)
        {
            var e = new AuditEvent
            {
                Sequence = ++sequence,
                Timestamp = now,
                Code = entry.Code,
                Action = entry.Action,
                Principal = entry.Principal,
                Resource = entry.Resource,
                Outcome = entry.Outcome,
                ClientAddress = entry.ClientAddress,
                Details = AuditHasher.CanonicalDetails(entry.Details),
                PreviousHash = previous,
            };
            e.Hash = AuditHasher.ComputeHash(e);
            previous = e.Hash;
            list.Add(e);
        }

        return list;
    }

    private static async Task<(long, string)> ReadHeadAsync(BulwarkDbContext db, CancellationToken cancellationToken)
    {
        var last = await db.AuditEvents.AsNoTracking().OrderByDescending(e => e.Sequence)
            .Select(e => new { e.Sequence, e.Hash }).FirstOrDefaultAsync(cancellationToken);
        return last is null ? (0, AuditHasher.GenesisHash) : (last.Sequence, last.Hash);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
        _lock.Dispose();
    }
}

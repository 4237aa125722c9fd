using System.Threading.Channels;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Audit;

/// <summary>
/// Appends to the hash-chained audit ledger. Writers are serialised so the chain stays linear; state changes call
/// <c>SaveChangesAsync</c> so the event commits in the same transaction as the change it records, and the
/// prediction path uses <see cref="AppendAsync"/>, which group-commits concurrent events in one transaction and
/// returns only once they are committed (durable across a process crash; across power loss as configured by
/// <c>Bulwark:SqliteSynchronous</c>).
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
            var added = Chain(head, entries.Select(e => e.WithCaller()));
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

        // Captured here, in the request's flow: the writer loop runs outside it.
        if (!_queue.Writer.TryWrite((entry.WithCaller(), done)))
        {
            done.SetException(new InvalidOperationException("The audit ledger is shut down."));
        }

        return done.Task;
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await WriteBatchesAsync();
        }
        catch (Exception ex)
        {
            // The loop itself died: refuse new appends and fail queued ones rather than letting callers wait forever.
            _queue.Writer.TryComplete(ex);
            while (_queue.Reader.TryRead(out var item))
            {
                item.Done.TrySetException(ex);
            }
        }
    }

    private async Task WriteBatchesAsync()
    {
        var batch = new List<(AuditEntry Entry, TaskCompletionSource Done)>(MaxBatch);
        BulwarkDbContext? db = null;
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            try
            {
                // One long-lived context and open connection for the writer: no pool round trip or connection
                // set-up per batch. Any failure discards it and the next batch starts fresh.
                if (db is null)
                {
                    db = await _contexts.CreateDbContextAsync();
                    await db.Database.OpenConnectionAsync();
                }

                await InsertBatchAsync(db, batch.Select(b => b.Entry));
                foreach (var item in batch)
                {
                    item.Done.TrySetResult();
                }
            }
            catch (Exception ex)
            {
                // Fail the waiting requests first: nothing below may leave them hanging.
                foreach (var item in batch)
                {
                    item.Done.TrySetException(ex);
                }

                await DisposeQuietlyAsync(db);
                db = null;
            }
        }

        await DisposeQuietlyAsync(db);
    }

    private static async ValueTask DisposeQuietlyAsync(BulwarkDbContext? db)
    {
        if (db is null)
        {
            return;
        }

        try
        {
            await db.DisposeAsync();
        }
        catch (Exception)
        {
            // A broken connection that also fails to close must not stop the writer loop; the next batch opens anew.
        }
    }

    /// <summary>
    /// The group-commit path: one transaction, one prepared INSERT reused for every event. Bypassing the change
    /// tracker here roughly halves the ledger's cost per prediction; state changes keep using SaveChangesAsync.
    /// </summary>
    private async Task InsertBatchAsync(BulwarkDbContext db, IEnumerable<AuditEntry> entries)
    {
        await _lock.WaitAsync();
        try
        {
            var head = _head ?? await ReadHeadAsync(db, CancellationToken.None);
            var added = Chain(head, entries);
            var connection = db.Database.GetDbConnection();
            {
                await using var transaction = await connection.BeginTransactionAsync();
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = """
                    INSERT INTO "audit_events" ("Sequence", "Timestamp", "Code", "Action", "Principal", "Resource", "Outcome", "ClientAddress", "Details", "PreviousHash", "Hash", "ProjectId", "AuthMethod", "UserAgent")
                    VALUES (@sequence, @timestamp, @code, @action, @principal, @resource, @outcome, @client, @details, @previous, @hash, @project, @auth, @agent)
                    """;
                string[] names = ["@sequence", "@timestamp", "@code", "@action", "@principal", "@resource", "@outcome", "@client", "@details", "@previous", "@hash", "@project", "@auth", "@agent"];
                foreach (var name in names)
                {
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = name;
                    command.Parameters.Add(parameter);
                }

                var timestamps = db.Model.FindEntityType(typeof(AuditEvent))!.FindProperty(nameof(AuditEvent.Timestamp))!.GetTypeMapping().Converter;
                foreach (var e in added)
                {
                    command.Parameters[0].Value = e.Sequence;
                    command.Parameters[1].Value = timestamps?.ConvertToProvider(e.Timestamp) ?? e.Timestamp;
                    command.Parameters[2].Value = e.Code;
                    command.Parameters[3].Value = e.Action;
                    command.Parameters[4].Value = e.Principal;
                    command.Parameters[5].Value = e.Resource;
                    command.Parameters[6].Value = e.Outcome;
                    command.Parameters[7].Value = (object?)e.ClientAddress ?? DBNull.Value;
                    command.Parameters[8].Value = e.Details;
                    command.Parameters[9].Value = e.PreviousHash;
                    command.Parameters[10].Value = e.Hash;
                    command.Parameters[11].Value = (object?)e.ProjectId ?? DBNull.Value;
                    command.Parameters[12].Value = (object?)e.AuthMethod ?? DBNull.Value;
                    command.Parameters[13].Value = (object?)e.UserAgent ?? DBNull.Value;
                    await command.ExecuteNonQueryAsync();
                }

                await transaction.CommitAsync();
            }

            if (added.Count > 0)
            {
                _head = (added[^1].Sequence, added[^1].Hash);
            }
        }
        catch
        {
            _head = null;
            throw;
        }
        finally
        {
            _lock.Release();
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
                ProjectId = entry.ProjectId,
                AuthMethod = entry.AuthMethod,
                UserAgent = entry.UserAgent,
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

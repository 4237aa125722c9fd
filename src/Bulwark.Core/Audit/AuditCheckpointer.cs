using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Bulwark.Core.Audit;

/// <summary>
/// Signs the chain head with the audit key and stores the checkpoint with an audit event recording it. Each checkpoint is
/// also written to the structured log, so a copy lives outside the database (a SIEM keeps the witness an attacker who
/// truncates the database cannot reach).
/// </summary>
internal sealed partial class AuditCheckpointer(
    IDbContextFactory<BulwarkDbContext> contexts,
    AuditKeyStore keys,
    AuditLedger ledger,
    TimeProvider time,
    ILogger<AuditCheckpointer> logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>
    /// Signs the current head. Returns the existing checkpoint when nothing but checkpoint records was added since the
    /// last one (unless <paramref name="force"/>), and null for an empty ledger.
    /// </summary>
    public async Task<AuditCheckpoint?> CheckpointAsync(string actor, string? client, bool force = false, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var head = await db.AuditEvents.AsNoTracking().OrderByDescending(e => e.Sequence)
                .Select(e => new { e.Sequence, e.Hash, e.Code }).FirstOrDefaultAsync(cancellationToken);
            if (head is null)
            {
                return null;
            }

            var last = await db.AuditCheckpoints.AsNoTracking().OrderByDescending(c => c.Sequence).FirstOrDefaultAsync(cancellationToken);
            var onlyCheckpointRecordSince = last is not null && head.Code == AuditCodes.AuditCheckpointSigned && head.Sequence == last.Sequence + 1;
            if (last is not null && (last.Sequence == head.Sequence || (onlyCheckpointRecordSince && !force)))
            {
                return last;
            }

            return await SignAsync(db, head.Sequence, head.Hash, actor, client, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Signs a checkpoint at an existing event (the end of a range about to be archived); returns the existing one if any.</summary>
    public async Task<AuditCheckpoint?> CheckpointAtAsync(long sequence, string actor, string? client, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            if (await db.AuditCheckpoints.AsNoTracking().FirstOrDefaultAsync(c => c.Sequence == sequence, cancellationToken) is { } existing)
            {
                return existing;
            }

            var target = await db.AuditEvents.AsNoTracking().Where(e => e.Sequence == sequence).Select(e => new { e.Sequence, e.Hash }).FirstOrDefaultAsync(cancellationToken);
            return target is null ? null : await SignAsync(db, target.Sequence, target.Hash, actor, client, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<AuditCheckpoint> SignAsync(BulwarkDbContext db, long sequence, string hash, string actor, string? client, CancellationToken cancellationToken)
    {
        var signedAt = AuditHasher.Normalize(time.GetUtcNow());
        var statement = new CheckpointStatement(sequence, hash, signedAt);
        var keySet = keys.Current;
        var checkpoint = new AuditCheckpoint
        {
            Sequence = sequence,
            HeadHash = hash,
            SignedAt = signedAt,
            KeyId = keySet.ActiveKeyId,
            Envelope = keySet.Sign(CheckpointStatement.PayloadType, statement.ToBytes()),
        };
        db.AuditCheckpoints.Add(checkpoint);
        await ledger.SaveChangesAsync(db, new AuditEntry(AuditCodes.AuditCheckpointSigned, "audit.checkpoint", actor, "audit/checkpoint/" + sequence,
            "success", client, new Dictionary<string, object?> { ["sequence"] = sequence, ["head"] = hash, ["keyId"] = keySet.ActiveKeyId }),
            cancellationToken);
        LogCheckpoint(logger, sequence, hash, keySet.ActiveKeyId, checkpoint.Envelope);
        return checkpoint;
    }

    public void Dispose() => _gate.Dispose();

    [LoggerMessage(EventId = 5002, EventName = "AuditCheckpointSigned", Level = LogLevel.Information,
        Message = "Audit checkpoint signed at sequence {Sequence} head {Head} key {KeyId}; envelope {Envelope}")]
    private static partial void LogCheckpoint(ILogger logger, long sequence, string head, string keyId, string envelope);
}

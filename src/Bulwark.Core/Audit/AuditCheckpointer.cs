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

            var signedAt = AuditHasher.Normalize(time.GetUtcNow());
            var statement = new CheckpointStatement(head.Sequence, head.Hash, signedAt);
            var keySet = keys.Current;
            var checkpoint = new AuditCheckpoint
            {
                Sequence = head.Sequence,
                HeadHash = head.Hash,
                SignedAt = signedAt,
                KeyId = keySet.ActiveKeyId,
                Envelope = keySet.Sign(CheckpointStatement.PayloadType, statement.ToBytes()),
            };
            db.AuditCheckpoints.Add(checkpoint);
            await ledger.SaveChangesAsync(db, new AuditEntry(AuditCodes.AuditCheckpointSigned, "audit.checkpoint", actor, "audit/checkpoint/" + head.Sequence,
                "success", client, new Dictionary<string, object?> { ["sequence"] = head.Sequence, ["head"] = head.Hash, ["keyId"] = keySet.ActiveKeyId }),
                cancellationToken);
            LogCheckpoint(logger, head.Sequence, head.Hash, keySet.ActiveKeyId, checkpoint.Envelope);
            return checkpoint;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    [LoggerMessage(EventId = 5002, EventName = "AuditCheckpointSigned", Level = LogLevel.Information,
        Message = "Audit checkpoint signed at sequence {Sequence} head {Head} key {KeyId}; envelope {Envelope}")]
    private static partial void LogCheckpoint(ILogger logger, long sequence, string head, string keyId, string envelope);
}

using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Audit;

/// <summary>
/// Recomputes the ledger's hash chain, checks every signed checkpoint against it, and names the first broken sequence.
/// </summary>
internal sealed class AuditVerifier(BulwarkDbContext db, AuditKeyStore keys)
{
    /// <summary>Verifies events <paramref name="from"/>..<paramref name="to"/> (the whole ledger by default).</summary>
    /// <remarks>
    /// The archive records are verified first, as a chain from sequence 1 (<see cref="AuditArchiveChain"/>); the first
    /// event in the database must link to the last archive. A range that starts later takes its first previous-hash on
    /// trust; it is vouched for by the next signed checkpoint, so the walk continues past <paramref name="to"/> to that
    /// checkpoint (or to the head).
    /// </remarks>
    public async Task<AuditVerification> VerifyAsync(long? from = null, long? to = null, CancellationToken cancellationToken = default)
    {
        var (checkpoints, badCheckpoint) = await LoadCheckpointsAsync(cancellationToken);
        var archives = await AuditArchiveChain.VerifyAsync(db, Trusted(), cancellationToken);
        if (!archives.Valid)
        {
            return new AuditVerification(false, 0, archives.BrokenAt, archives.Reason, null);
        }

        // Archived events live in signed files (verify them offline); the database chain starts right after the last one.
        var (start, anchorHash) = archives.HotStart;
        var first = Math.Max(start, from ?? start);
        var previous = first == start ? anchorHash : null;
        var walker = new AuditChainWalker(first, previous, checkpoints);
        var end = to is { } t ? checkpoints.Keys.Where(s => s >= t).DefaultIfEmpty(long.MaxValue).Min() : long.MaxValue;
        await foreach (var e in db.AuditEvents.AsNoTracking().Where(e => e.Sequence >= first && e.Sequence <= end).OrderBy(e => e.Sequence)
            .AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (!walker.Add(e))
            {
                break;
            }
        }

        if (end == long.MaxValue)
        {
            walker.Finish();
        }
        else if (walker.NextSequence <= end)
        {
            walker.Fail(walker.NextSequence, $"the ledger ends at sequence {walker.NextSequence - 1} but a signed checkpoint covers sequence {end}: the tail was truncated");
        }

        if (badCheckpoint is { } bad)
        {
            walker.Fail(bad.Sequence, bad.Reason);
        }

        return walker.ToResult();
    }

    private Dictionary<string, byte[]> Trusted() =>
        keys.Current.Trusted.ToDictionary(k => k.Key, k => k.Value.SubjectPublicKeyInfo, StringComparer.Ordinal);

    /// <summary>The checkpoints whose signatures verify under a trusted key, and the first one that does not.</summary>
    private async Task<(Dictionary<long, CheckpointStatement>, (long Sequence, string Reason)?)> LoadCheckpointsAsync(CancellationToken cancellationToken)
    {
        var trusted = Trusted();
        var result = new Dictionary<long, CheckpointStatement>();
        (long, string)? bad = null;
        foreach (var row in await db.AuditCheckpoints.AsNoTracking().OrderBy(c => c.Sequence).ToListAsync(cancellationToken))
        {
            if (!SignedDocument.TryVerify(row.Envelope, CheckpointStatement.PayloadType, trusted, out var payload, out _, out var error)
                || !CheckpointStatement.TryParse(payload, out var statement) || statement.Sequence != row.Sequence)
            {
                bad ??= (row.Sequence, $"the checkpoint at sequence {row.Sequence} does not verify ({(error.Length > 0 ? error : "malformed statement")})");
                continue;
            }

            result[statement.Sequence] = statement;
        }

        return (result, bad);
    }
}

/// <param name="EventsVerified">How many events, from the first one checked, are intact.</param>
/// <param name="FirstBrokenSequence">The first sequence number whose link fails, when not valid.</param>
/// <param name="CheckpointsVerified">Signed checkpoints that matched the events.</param>
internal sealed record AuditVerification(bool Valid, long EventsVerified, long? FirstBrokenSequence, string? Reason, string? HeadHash,
    int CheckpointsVerified = 0, long? LastCheckpointSequence = null);

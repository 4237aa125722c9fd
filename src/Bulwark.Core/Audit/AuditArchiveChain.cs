using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Audit;

/// <summary>
/// Verifies the archive records as one chain from sequence 1: each carries a signed <see cref="ArchiveStatement"/>
/// matching the row, the ranges are contiguous, and each archive's first previous-hash is the last hash of the archive
/// before it (the genesis hash for the first). The last archive is where the hot chain in the database continues.
/// </summary>
/// <remarks>
/// Without the chain, the newest signed archive alone would anchor the ledger, and someone with write access to the
/// database could delete the oldest archive rows, or events between archives, unseen. The check reads rows only, never
/// the files, so it holds after archive files have been purged.
/// </remarks>
internal static class AuditArchiveChain
{
    /// <summary>The verified archives in order (empty when the chain breaks), or the first place the archive chain breaks.</summary>
    public sealed record Result(IReadOnlyList<ArchiveStatement> Archives, long? BrokenAt, string? Reason)
    {
        public ArchiveStatement? Last => Archives.Count > 0 ? Archives[^1] : null;

        public bool Valid => BrokenAt is null;

        /// <summary>The first sequence the database holds, and the previous-hash it must carry.</summary>
        public (long Sequence, string PreviousHash) HotStart => Last is { } last ? (last.ToSequence + 1, last.LastHash) : (1, AuditHasher.GenesisHash);
    }

    public static async Task<Result> VerifyAsync(BulwarkDbContext db, IReadOnlyDictionary<string, byte[]> trustedKeys, CancellationToken cancellationToken)
    {
        var rows = await db.AuditArchives.AsNoTracking().OrderBy(a => a.FromSequence).ThenBy(a => a.ToSequence).ToListAsync(cancellationToken);
        var verified = new List<ArchiveStatement>(rows.Count);
        foreach (var row in rows)
        {
            if (!SignedDocument.TryVerify(row.StatementEnvelope, ArchiveStatement.PayloadType, trustedKeys, out var payload, out _, out var error)
                || !ArchiveStatement.TryParse(payload, out var statement))
            {
                return new Result([], row.FromSequence, $"the archive record ending at sequence {row.ToSequence} does not verify: it is not an archive "
                    + $"statement signed by a trusted audit key ({(error.Length > 0 ? error : "malformed statement")})");
            }

            if (statement.FromSequence != row.FromSequence || statement.ToSequence != row.ToSequence || statement.Events != row.EventCount
                || !string.Equals(statement.LastHash, row.LastHash, StringComparison.Ordinal)
                || !string.Equals(statement.FileSha256, row.FileSha256, StringComparison.Ordinal)
                || !string.Equals(statement.FileName, row.FileName, StringComparison.Ordinal))
            {
                return new Result([], row.FromSequence, $"the archive record ending at sequence {row.ToSequence} does not match its signed statement");
            }

            var (expectedFrom, expectedPrevious) = new Result(verified, null, null).HotStart;
            if (statement.FromSequence != expectedFrom)
            {
                return new Result([], expectedFrom, statement.FromSequence > expectedFrom
                    ? $"no archive holds sequences {expectedFrom}..{statement.FromSequence - 1}: an archive record is missing"
                    : $"the archive of sequences {statement.FromSequence}..{statement.ToSequence} overlaps the archive before it");
            }

            if (!string.Equals(statement.FirstPreviousHash, expectedPrevious, StringComparison.Ordinal))
            {
                return new Result([], expectedFrom, $"the archive starting at sequence {expectedFrom} does not link to the archive before it");
            }

            verified.Add(statement);
        }

        return new Result(verified, null, null);
    }
}

using System.Security.Cryptography;
using Bulwark.Core.Crypto;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Audit;

/// <summary>
/// Retention for the ledger: events older than <see cref="AuditOptions.HotRetention"/> move to a signed export file
/// (verifiable offline like any export) and leave the database only after the file was written, re-read and verified;
/// archive files older than <see cref="AuditOptions.ArchiveRetention"/> are deleted. Both steps are audited.
/// </summary>
/// <remarks>
/// The newest event is never archived, so the chain head stays in the database. The archive row keeps a signed
/// <see cref="ArchiveStatement"/> (range, first and last links, the file's SHA-256) that only this class signs: online
/// verification checks the archive rows as a chain from sequence 1 and continues from the last one. Nothing is deleted
/// on the word of a row alone: every deletion follows a re-verification of the file against its signed statement.
/// </remarks>
internal sealed class AuditArchiver(IServiceScopeFactory scopes, AuditCheckpointer checkpointer, AuditKeyStore keys, AuditLedger ledger,
    IOptions<AuditOptions> options, IOptions<StorageOptions> storage, TimeProvider time)
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public string Directory => options.Value.ArchiveDirectory ?? Path.Combine(storage.Value.DataDir, "audit-archive");

    /// <summary>Archives every event older than the hot retention; null when there is nothing to archive.</summary>
    /// <exception cref="InvalidOperationException">The archive records or a file do not verify; nothing was deleted.</exception>
    public async Task<AuditArchive?> ArchiveAsync(string actor, string? client, CancellationToken ct = default)
    {
        await Gate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            var chain = await CompleteInterruptedAsync(db, ct);
            var (from, firstPrevious) = chain.HotStart;
            var cutoff = time.GetUtcNow() - options.Value.HotRetention;
            var head = await db.AuditEvents.MaxAsync(e => (long?)e.Sequence, ct) ?? 0;
            var last = await db.AuditEvents.Where(e => e.Timestamp < cutoff && e.Sequence >= from && e.Sequence < head).MaxAsync(e => (long?)e.Sequence, ct);
            if (last is not { } to)
            {
                return null;
            }

            // The archive ends on a signed checkpoint, so the file proves its own end even before the export statement.
            await checkpointer.CheckpointAtAsync(to, actor, client, ct);
            var exporter = scope.ServiceProvider.GetRequiredService<AuditExporter>();
            var range = new AuditExporter.Range(from, to, to);
            System.IO.Directory.CreateDirectory(Directory);
            var name = $"audit-{from:D12}-{to:D12}.jsonl";
            var path = Path.Combine(Directory, name);
            var partial = path + ".partial";
            var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Options = FileOptions.WriteThrough };
            if (!OperatingSystem.IsWindows())
            {
                // Private from the first byte, like the database and the master key.
                fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            await using (var file = new FileStream(partial, fileOptions))
            {
                await exporter.WriteAsync(file, range, ct);
                await file.FlushAsync(ct);
            }

            // Nothing leaves the database unless the file verifies, end to end, under the audit key, and continues the
            // archive chain exactly where the last archive ended.
            var (report, sha256) = await VerifyFileAsync(partial, Trusted(), ct);
            if (!report.Valid || report.FirstSequence != from || report.LastSequence != to
                || !string.Equals(report.FirstPreviousHash, firstPrevious, StringComparison.Ordinal) || report.LastHash is null)
            {
                File.Delete(partial);
                throw new InvalidOperationException($"The audit archive {name} did not verify or does not continue the archives before it "
                    + $"({report.Reason ?? "wrong range or link"}); nothing was archived.");
            }

            File.Move(partial, path, overwrite: false);
            var statement = new ArchiveStatement(from, to, firstPrevious, report.LastHash, to - from + 1, name, sha256, AuditHasher.Normalize(time.GetUtcNow()));
            var archive = new AuditArchive
            {
                Id = Guid.CreateVersion7(time.GetUtcNow()),
                FromSequence = from,
                ToSequence = to,
                LastHash = statement.LastHash,
                EventCount = statement.Events,
                FileName = name,
                FileSha256 = sha256,
                StatementEnvelope = keys.Current.Sign(ArchiveStatement.PayloadType, statement.ToBytes()),
                CreatedAt = time.GetUtcNow(),
            };
            db.AuditArchives.Add(archive);
            await ledger.SaveChangesAsync(db, new AuditEntry(AuditCodes.AuditArchived, "audit.archive", actor, "audit/archive/" + name, "success", client,
                new Dictionary<string, object?> { ["from"] = from, ["to"] = to, ["events"] = statement.Events, ["sha256"] = sha256, ["lastHash"] = statement.LastHash }), ct);

            // Only now, with the archive on record, and only if the file on disk is still the one the statement signs: a
            // crash before the delete leaves rows that the verifier (which starts after the archive) ignores and the next
            // run removes, after the same check.
            await EnsureFileMatchesAsync(statement, ct);
            await db.AuditEvents.Where(e => e.Sequence >= from && e.Sequence <= to).ExecuteDeleteAsync(ct);
            return archive;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// Verifies the archive records and finishes an archive a crash interrupted (its rows still in the database) once its
    /// file re-verifies. A record that does not verify stops retention: deleting what a forged row claims to have
    /// archived would be the very deletion it hides.
    /// </summary>
    private async Task<AuditArchiveChain.Result> CompleteInterruptedAsync(BulwarkDbContext db, CancellationToken ct)
    {
        var chain = await AuditArchiveChain.VerifyAsync(db, Trusted(), ct);
        if (!chain.Valid)
        {
            throw new InvalidOperationException($"The audit archive records do not verify at sequence {chain.BrokenAt} ({chain.Reason}); nothing was deleted.");
        }

        if (chain.Last is { } last && await db.AuditEvents.AnyAsync(e => e.Sequence >= last.FromSequence && e.Sequence <= last.ToSequence, ct))
        {
            await EnsureFileMatchesAsync(last, ct);
            await db.AuditEvents.Where(e => e.Sequence >= last.FromSequence && e.Sequence <= last.ToSequence).ExecuteDeleteAsync(ct);
        }

        return chain;
    }

    /// <summary>Throws unless the archive file is byte for byte the one <paramref name="statement"/> signs and verifies as the export of its range.</summary>
    private async Task EnsureFileMatchesAsync(ArchiveStatement statement, CancellationToken ct)
    {
        var path = Path.Combine(Directory, statement.FileName);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The audit archive {statement.FileName} is missing; its events stay in the database.");
        }

        var (report, sha256) = await VerifyFileAsync(path, Trusted(), ct);
        if (!string.Equals(sha256, statement.FileSha256, StringComparison.Ordinal) || !report.Valid || report.FirstSequence != statement.FromSequence
            || report.LastSequence != statement.ToSequence || !string.Equals(report.LastHash, statement.LastHash, StringComparison.Ordinal)
            || !string.Equals(report.FirstPreviousHash, statement.FirstPreviousHash, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The audit archive {statement.FileName} no longer matches its signed statement "
                + $"({report.Reason ?? "different content"}); its events stay in the database.");
        }
    }

    /// <summary>Verifies an export file and hashes it in the same pass, so what was verified is exactly what was hashed.</summary>
    private static async Task<(AuditExportReport Report, string Sha256)> VerifyFileAsync(string path, IReadOnlyDictionary<string, byte[]> trusted, CancellationToken ct)
    {
        using var sha = SHA256.Create();
        await using var file = File.OpenRead(path);
        await using var hashing = new CryptoStream(file, sha, CryptoStreamMode.Read);
        using var reader = new StreamReader(hashing);
        var report = await AuditExportVerifier.VerifyAsync(reader, trusted, ct);
        await reader.ReadToEndAsync(ct);
        return (report, hashing.HasFlushedFinalBlock ? Convert.ToHexStringLower(sha.Hash!) : "");
    }

    private Dictionary<string, byte[]> Trusted() =>
        keys.Current.Trusted.ToDictionary(k => k.Key, k => k.Value.SubjectPublicKeyInfo, StringComparer.Ordinal);

    /// <summary>Deletes archive files past their retention; the rows stay (they anchor the chain).</summary>
    public async Task<IReadOnlyList<AuditArchive>> PurgeAsync(string actor, string? client, CancellationToken ct = default)
    {
        await Gate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            var cutoff = time.GetUtcNow() - options.Value.ArchiveRetention;

            // Age and file name come from the signed statements, not the rows: a row edited to look old, or to name a file
            // outside the archive directory, must not get a file deleted.
            var chain = await AuditArchiveChain.VerifyAsync(db, Trusted(), ct);
            if (!chain.Valid)
            {
                throw new InvalidOperationException($"The audit archive records do not verify at sequence {chain.BrokenAt} ({chain.Reason}); no archive file was deleted.");
            }

            var due = chain.Archives.Where(a => a.ArchivedAt < cutoff).Select(a => a.ToSequence).ToHashSet();
            var expired = (await db.AuditArchives.Where(a => a.PurgedAt == null).ToListAsync(ct)).Where(a => due.Contains(a.ToSequence)).ToList();
            if (expired.Count == 0)
            {
                return [];
            }

            var entries = new List<AuditEntry>();
            foreach (var archive in expired)
            {
                File.Delete(Path.Combine(Directory, chain.Archives.Single(a => a.ToSequence == archive.ToSequence).FileName));
                archive.PurgedAt = time.GetUtcNow();
                entries.Add(new AuditEntry(AuditCodes.AuditArchivePurged, "audit.purge", actor, "audit/archive/" + archive.FileName, "success", client,
                    new Dictionary<string, object?> { ["from"] = archive.FromSequence, ["to"] = archive.ToSequence, ["sha256"] = archive.FileSha256 }));
            }

            await ledger.SaveChangesAsync(db, entries, ct);
            return expired;
        }
        finally
        {
            Gate.Release();
        }
    }
}

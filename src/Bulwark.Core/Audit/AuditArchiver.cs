using System.Security.Cryptography;
using System.Text.Json;
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
/// The newest event is never archived, so the chain head stays in the database. The archive row keeps the signed export
/// statement: online verification starts from it, so the first remaining event must link to the archived last hash.
/// </remarks>
internal sealed class AuditArchiver(IServiceScopeFactory scopes, AuditCheckpointer checkpointer, AuditKeyStore keys, AuditLedger ledger,
    IOptions<AuditOptions> options, IOptions<StorageOptions> storage, TimeProvider time)
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public string Directory => options.Value.ArchiveDirectory ?? Path.Combine(storage.Value.DataDir, "audit-archive");

    /// <summary>Archives every event older than the hot retention; null when there is nothing to archive.</summary>
    public async Task<AuditArchive?> ArchiveAsync(string actor, string? client, CancellationToken ct = default)
    {
        await Gate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            await CompleteInterruptedAsync(db, ct);
            var cutoff = time.GetUtcNow() - options.Value.HotRetention;
            var head = await db.AuditEvents.MaxAsync(e => (long?)e.Sequence, ct) ?? 0;
            var last = await db.AuditEvents.Where(e => e.Timestamp < cutoff && e.Sequence < head).MaxAsync(e => (long?)e.Sequence, ct);
            var first = await db.AuditEvents.MinAsync(e => (long?)e.Sequence, ct);
            if (last is not { } to || first is not { } from || to < from)
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

            // Nothing leaves the database unless the file verifies, end to end, under the audit key.
            var trusted = keys.Current.Trusted.ToDictionary(k => k.Key, k => k.Value.SubjectPublicKeyInfo, StringComparer.Ordinal);
            AuditExportReport report;
            using (var reader = new StreamReader(partial))
            {
                report = await AuditExportVerifier.VerifyAsync(reader, trusted, ct);
            }

            if (!report.Valid || report.LastSequence != to)
            {
                File.Delete(partial);
                throw new InvalidOperationException($"The audit archive {name} did not verify ({report.Reason}); nothing was archived.");
            }

            File.Move(partial, path, overwrite: false);
            var (envelope, lastHash, count) = await ReadStatementAsync(path, ct);
            var archive = new AuditArchive
            {
                Id = Guid.CreateVersion7(time.GetUtcNow()),
                FromSequence = from,
                ToSequence = to,
                LastHash = lastHash,
                EventCount = count,
                FileName = name,
                FileSha256 = await Sha256Async(path, ct),
                StatementEnvelope = envelope,
                CreatedAt = time.GetUtcNow(),
            };
            db.AuditArchives.Add(archive);
            await ledger.SaveChangesAsync(db, new AuditEntry(AuditCodes.AuditArchived, "audit.archive", actor, "audit/archive/" + name, "success", client,
                new Dictionary<string, object?> { ["from"] = from, ["to"] = to, ["events"] = count, ["sha256"] = archive.FileSha256, ["lastHash"] = lastHash }), ct);

            // Only now, with the file verified and the archive on record: a crash before this line leaves rows that the
            // verifier (which starts after the archive) ignores and the next run removes.
            await db.AuditEvents.Where(e => e.Sequence >= from && e.Sequence <= to).ExecuteDeleteAsync(ct);
            return archive;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task CompleteInterruptedAsync(BulwarkDbContext db, CancellationToken ct)
    {
        var archivedTo = await db.AuditArchives.MaxAsync(a => (long?)a.ToSequence, ct);
        if (archivedTo is { } to)
        {
            await db.AuditEvents.Where(e => e.Sequence <= to).ExecuteDeleteAsync(ct);
        }
    }

    /// <summary>Deletes archive files past their retention; the rows stay (they anchor the chain).</summary>
    public async Task<IReadOnlyList<AuditArchive>> PurgeAsync(string actor, string? client, CancellationToken ct = default)
    {
        await Gate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            var cutoff = time.GetUtcNow() - options.Value.ArchiveRetention;
            var expired = await db.AuditArchives.Where(a => a.PurgedAt == null && a.CreatedAt < cutoff).ToListAsync(ct);
            if (expired.Count == 0)
            {
                return [];
            }

            var entries = new List<AuditEntry>();
            foreach (var archive in expired)
            {
                File.Delete(Path.Combine(Directory, archive.FileName));
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

    private static async Task<(string Envelope, string LastHash, long Count)> ReadStatementAsync(string path, CancellationToken ct)
    {
        string? lastLine = null;
        await foreach (var line in File.ReadLinesAsync(path, ct))
        {
            if (line.Length > 0)
            {
                lastLine = line;
            }
        }

        using var doc = JsonDocument.Parse(lastLine!);
        var envelope = doc.RootElement.GetProperty("envelope").GetRawText();
        if (!Dsse.TryParse(envelope, out var parsed, out _))
        {
            throw new InvalidOperationException("The archive's statement is not a DSSE envelope.");
        }

        using var statement = JsonDocument.Parse(parsed.Payload);
        return (envelope, statement.RootElement.GetProperty("lastHash").GetString()!, statement.RootElement.GetProperty("events").GetInt64());
    }

    private static async Task<string> Sha256Async(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }
}

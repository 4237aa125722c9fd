using Bulwark.Core.Audit;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Audit;

/// <summary>Retention with the fake clock: old events move to verified archive files, the chain stays verifiable, expired files go.</summary>
public sealed class AuditArchiveTests
{
    private static async Task AppendAsync(CoreTestEnvironment env, int count)
    {
        var ledger = env.Services.GetRequiredService<AuditLedger>();
        for (var i = 1; i <= count; i++)
        {
            await using var scope = env.Scope();
            await ledger.SaveChangesAsync(scope.ServiceProvider.GetRequiredService<BulwarkDbContext>(),
                new AuditEntry(AuditCodes.DatasetImported, "dataset.import", "key:bwk_test", $"dataset/{i}", "success", "127.0.0.1"));
        }
    }

    private static async Task<AuditVerification> VerifyAsync(CoreTestEnvironment env)
    {
        await using var scope = env.Scope();
        return await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync();
    }

    private static IReadOnlyDictionary<string, byte[]> Keys(CoreTestEnvironment env) =>
        env.Services.GetRequiredService<AuditKeyStore>().Current.Trusted.ToDictionary(k => k.Key, k => k.Value.SubjectPublicKeyInfo);

    /// <summary>What any audit:read caller can have signed on demand: an export from <paramref name="from"/>, and its statement.</summary>
    private static async Task<(string Envelope, long LastSequence, string LastHash)> ExportStatementAsync(CoreTestEnvironment env, long from)
    {
        await using var scope = env.Scope();
        var exporter = scope.ServiceProvider.GetRequiredService<AuditExporter>();
        var range = await exporter.PlanAsync(from, null, "key:bwk_reader", null, CancellationToken.None);
        using var buffer = new MemoryStream();
        await exporter.WriteAsync(buffer, range!, CancellationToken.None);
        var last = System.Text.Encoding.UTF8.GetString(buffer.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        using var line = System.Text.Json.JsonDocument.Parse(last);
        var envelope = line.RootElement.GetProperty("envelope").GetRawText();
        Assert.True(Bulwark.Core.Crypto.Dsse.TryParse(envelope, out var parsed, out _));
        using var statement = System.Text.Json.JsonDocument.Parse(parsed.Payload);
        return (envelope, statement.RootElement.GetProperty("lastSequence").GetInt64(), statement.RootElement.GetProperty("lastHash").GetString()!);
    }

    /// <summary>An archive row written straight into the database, as someone with write access to it could.</summary>
    private static Task<int> InsertArchiveRowAsync(CoreTestEnvironment env, long from, long to, string lastHash, string envelope) =>
        env.ExecuteSqlAsync($"""
            INSERT INTO audit_archives (Id, FromSequence, ToSequence, LastHash, EventCount, FileName, FileSha256, StatementEnvelope, CreatedAt)
            VALUES ('{Guid.NewGuid().ToString().ToUpperInvariant()}', {from}, {to}, '{lastHash}', {to - from + 1}, 'audit-forged.jsonl', '', '{envelope}', 0)
            """);

    [Fact]
    public async Task Archive_OldEvents_LeaveTheDatabaseIntoAFileThatVerifies_AndTheChainStaysValid()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var archiver = env.Services.GetRequiredService<AuditArchiver>();
        await AppendAsync(env, 5);
        Assert.Null(await archiver.ArchiveAsync("test", null));   // nothing is 90 days old yet
        env.Time.Advance(TimeSpan.FromDays(91));
        await AppendAsync(env, 3);

        var archive = await archiver.ArchiveAsync("test", null);

        Assert.NotNull(archive);
        Assert.Equal(1, archive.FromSequence);
        Assert.Equal(5, archive.ToSequence);
        var path = Path.Combine(archiver.Directory, archive.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(path))), archive.FileSha256);
        using (var reader = new StreamReader(path))
        {
            var offline = await AuditExportVerifier.VerifyAsync(reader, Keys(env));
            Assert.True(offline.Valid, offline.Reason);
            Assert.Equal(5, offline.LastSequence);
        }

        await using (var scope = env.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            Assert.False(await db.AuditEvents.AnyAsync(e => e.Sequence <= 5));
            Assert.True(await db.AuditEvents.AnyAsync(e => e.Code == AuditCodes.AuditArchived));
        }

        var online = await VerifyAsync(env);
        Assert.True(online.Valid, online.Reason);

        // The first event after the archive must link to it: deleting it is found.
        await env.ExecuteSqlAsync("DELETE FROM audit_events WHERE sequence = 6");
        var broken = await VerifyAsync(env);
        Assert.False(broken.Valid);
        Assert.Equal(6, broken.FirstBrokenSequence);
    }

    [Fact]
    public async Task Verify_ForgedArchiveRecord_IsFound()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var archiver = env.Services.GetRequiredService<AuditArchiver>();
        await AppendAsync(env, 4);
        env.Time.Advance(TimeSpan.FromDays(100));
        await AppendAsync(env, 2);
        var archive = (await archiver.ArchiveAsync("test", null))!;

        // Someone claims more events were archived than were, to hide deleting them.
        await env.ExecuteSqlAsync($"UPDATE audit_archives SET tosequence = {archive.ToSequence + 2}");
        var moved = await VerifyAsync(env);
        Assert.False(moved.Valid);
        Assert.Contains("does not match its signed statement", moved.Reason, StringComparison.Ordinal);

        await env.ExecuteSqlAsync($"UPDATE audit_archives SET tosequence = {archive.ToSequence}, statementenvelope = '{{\"payloadType\":\"x\",\"payload\":\"\",\"signatures\":[{{\"keyid\":\"k\",\"sig\":\"\"}}]}}'");
        var forged = await VerifyAsync(env);
        Assert.False(forged.Valid);
        Assert.Contains("does not verify", forged.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ArchiveRowCarryingAnExportStatement_IsRejected()
    {
        // An audit:read caller has an export from sequence 3 signed; with database write access, its statement is put in
        // an archive row and every event it "covers" is deleted. An export statement must never pass for an archive.
        await using var env = await CoreTestEnvironment.CreateAsync();
        await AppendAsync(env, 6);
        var (envelope, last, lastHash) = await ExportStatementAsync(env, from: 3);
        await AppendAsync(env, 2);
        Assert.Equal(1, await InsertArchiveRowAsync(env, 1, last, lastHash, envelope));
        Assert.True(await env.ExecuteSqlAsync($"DELETE FROM audit_events WHERE sequence <= {last}") >= 6);

        var result = await VerifyAsync(env);

        Assert.False(result.Valid);
        Assert.Equal(1, result.FirstBrokenSequence);
        Assert.Contains("not an archive statement", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Archive_ForgedArchiveRow_IsNotCompletedByDeletingTheEventsItClaims()
    {
        // The archiver finishes archives a crash interrupted by deleting the rows they cover; it must not do that for a
        // row it cannot verify, or the forged row becomes the deletion.
        await using var env = await CoreTestEnvironment.CreateAsync();
        var archiver = env.Services.GetRequiredService<AuditArchiver>();
        await AppendAsync(env, 6);
        var (envelope, last, lastHash) = await ExportStatementAsync(env, from: 2);
        await InsertArchiveRowAsync(env, 1, last, lastHash, envelope);
        env.Time.Advance(TimeSpan.FromDays(100));
        await AppendAsync(env, 2);

        await Assert.ThrowsAsync<InvalidOperationException>(() => archiver.ArchiveAsync("system", null));

        await using var scope = env.Scope();
        var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
        Assert.Equal(last, await db.AuditEvents.CountAsync(e => e.Sequence <= last));
    }

    [Fact]
    public async Task Verify_ArchiveChain_MissingOldestArchive_IsFound()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var archiver = env.Services.GetRequiredService<AuditArchiver>();
        await AppendAsync(env, 3);
        env.Time.Advance(TimeSpan.FromDays(91));
        await AppendAsync(env, 1);
        var first = (await archiver.ArchiveAsync("test", null))!;
        env.Time.Advance(TimeSpan.FromDays(91));
        await AppendAsync(env, 1);
        var second = (await archiver.ArchiveAsync("test", null))!;
        Assert.Equal(first.ToSequence + 1, second.FromSequence);
        var intact = await VerifyAsync(env);
        Assert.True(intact.Valid, intact.Reason);

        // The oldest archive row removed: the remaining chain would otherwise start from a signed but later archive.
        await env.ExecuteSqlAsync($"DELETE FROM audit_archives WHERE ToSequence = {first.ToSequence}");
        var result = await VerifyAsync(env);

        Assert.False(result.Valid);
        Assert.Equal(1, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task Archive_InterruptedBeforeTheDelete_DeletesOnlyAfterTheFileReverifies()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var archiver = env.Services.GetRequiredService<AuditArchiver>();
        await AppendAsync(env, 4);
        env.Time.Advance(TimeSpan.FromDays(91));
        await AppendAsync(env, 1);

        // A crash between recording the archive and deleting its rows: the rows are still there afterwards.
        await env.ExecuteSqlAsync("CREATE TABLE saved AS SELECT * FROM audit_events");
        var archive = (await archiver.ArchiveAsync("test", null))!;
        await env.ExecuteSqlAsync($"INSERT INTO audit_events SELECT * FROM saved WHERE sequence <= {archive.ToSequence}");
        var path = Path.Combine(archiver.Directory, archive.FileName);
        var original = await File.ReadAllBytesAsync(path);

        // The file was altered meanwhile (one appended line): the rows stay, and the run fails loudly.
        await File.AppendAllTextAsync(path, "{\"type\":\"event\"}\n");
        await Assert.ThrowsAsync<InvalidOperationException>(() => archiver.ArchiveAsync("test", null));
        await using (var scope = env.Scope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().AuditEvents.AnyAsync(e => e.Sequence <= archive.ToSequence));
        }

        // The file as written: the next run completes the archive.
        await File.WriteAllBytesAsync(path, original);
        await archiver.ArchiveAsync("test", null);
        await using (var scope = env.Scope())
        {
            Assert.False(await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().AuditEvents.AnyAsync(e => e.Sequence <= archive.ToSequence));
        }

        var result = await VerifyAsync(env);
        Assert.True(result.Valid, result.Reason);
    }

    [Fact]
    public async Task Purge_AfterArchiveRetention_DeletesTheFile_ChainStillVerifies()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var archiver = env.Services.GetRequiredService<AuditArchiver>();
        await AppendAsync(env, 3);
        env.Time.Advance(TimeSpan.FromDays(95));
        await AppendAsync(env, 1);
        var archive = (await archiver.ArchiveAsync("test", null))!;
        var path = Path.Combine(archiver.Directory, archive.FileName);

        env.Time.Advance(TimeSpan.FromDays(365));
        Assert.Empty(await archiver.PurgeAsync("test", null));   // six years by default: still kept
        Assert.True(File.Exists(path));
        env.Time.Advance(TimeSpan.FromDays(5 * 365 + 10));

        var purged = await archiver.PurgeAsync("test", null);

        Assert.Single(purged);
        Assert.False(File.Exists(path));
        var result = await VerifyAsync(env);
        Assert.True(result.Valid, result.Reason);
        await using var scope = env.Scope();
        Assert.True(await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().AuditEvents.AnyAsync(e => e.Code == AuditCodes.AuditArchivePurged));
    }

    [Fact]
    public async Task Archive_NeverTakesTheHead()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await AppendAsync(env, 2);
        env.Time.Advance(TimeSpan.FromDays(200));

        var archive = await env.Services.GetRequiredService<AuditArchiver>().ArchiveAsync("test", null);

        Assert.Equal(1, archive!.ToSequence);
        await AppendAsync(env, 1);
        Assert.True((await VerifyAsync(env)).Valid);
    }
}

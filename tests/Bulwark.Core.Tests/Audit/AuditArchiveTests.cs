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

using System.Security.Cryptography;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Audit;

public sealed class AuditCheckpointTests
{
    private static AuditEntry Entry(int i) => new(AuditCodes.DatasetImported, "dataset.import", "key:bwk_test", $"dataset/{i}", "success", "127.0.0.1",
        new Dictionary<string, object?> { ["n"] = i });

    private static async Task AppendAsync(CoreTestEnvironment env, int count)
    {
        var ledger = env.Services.GetRequiredService<AuditLedger>();
        for (var i = 1; i <= count; i++)
        {
            await using var scope = env.Scope();
            await ledger.SaveChangesAsync(scope.ServiceProvider.GetRequiredService<BulwarkDbContext>(), Entry(i));
        }
    }

    private static Task<AuditCheckpoint?> CheckpointAsync(CoreTestEnvironment env, bool force = false) =>
        env.Services.GetRequiredService<AuditCheckpointer>().CheckpointAsync("test", null, force);

    private static async Task<AuditVerification> VerifyAsync(CoreTestEnvironment env, long? from = null, long? to = null)
    {
        await using var scope = env.Scope();
        return await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(from, to);
    }

    [Fact]
    public async Task Verify_TailTruncatedBehindCheckpoint_ReportsTruncation()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await AppendAsync(env, 5);
        var checkpoint = await CheckpointAsync(env);
        Assert.Equal(5, checkpoint!.Sequence);
        Assert.True((await VerifyAsync(env)).Valid);

        // The chain alone cannot see this: events 1–3 still link perfectly.
        await env.ExecuteSqlAsync("DELETE FROM audit_events WHERE sequence > 3");

        var result = await VerifyAsync(env);
        Assert.False(result.Valid);
        Assert.Equal(4, result.FirstBrokenSequence);
        Assert.Contains("truncated", result.Reason, StringComparison.Ordinal);
        Assert.Equal(3, result.EventsVerified);
    }

    [Fact]
    public async Task Verify_EditedEventThatChainsConsistently_CaughtByCheckpoint()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await AppendAsync(env, 4);
        await CheckpointAsync(env);

        // An attacker rewrites event 4 and recomputes its hash: the chain is consistent again, the signed head is not.
        await using (var scope = env.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            var e = await db.AuditEvents.SingleAsync(x => x.Sequence == 4);
            e.Details = """{"n":"forged"}""";
            e.Hash = AuditHasher.ComputeHash(e);
            await env.ExecuteSqlAsync($"UPDATE audit_events SET details = '{e.Details}', hash = '{e.Hash}' WHERE sequence = 4");
        }

        var result = await VerifyAsync(env);
        Assert.False(result.Valid);
        Assert.Equal(4, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task Verify_CheckpointSignedByAnotherKey_Fails()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await AppendAsync(env, 3);
        var real = await CheckpointAsync(env);

        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = attacker.ExportSubjectPublicKeyInfo();
        var statement = new CheckpointStatement(real!.Sequence, real.HeadHash, real.SignedAt).ToBytes();
        var forged = Dsse.Serialize(CheckpointStatement.PayloadType, statement, EcdsaP256.KeyIdOf(spki),
            EcdsaP256.Sign(attacker, Dsse.Pae(CheckpointStatement.PayloadType, statement)));
        await env.ExecuteSqlAsync($"UPDATE audit_checkpoints SET envelope = '{forged}'");

        var result = await VerifyAsync(env);
        Assert.False(result.Valid);
        Assert.Equal(3, result.FirstBrokenSequence);
        Assert.Contains("does not verify", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checkpoint_NothingNew_ReturnsTheLastOne()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        Assert.Null(await CheckpointAsync(env));
        await AppendAsync(env, 2);

        var first = await CheckpointAsync(env);
        var again = await CheckpointAsync(env);

        Assert.Equal(first!.Sequence, again!.Sequence);
    }

    [Fact]
    public async Task RotateKey_OldCheckpointsKeepVerifying()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await AppendAsync(env, 2);
        var before = await CheckpointAsync(env);
        var keys = env.Services.GetRequiredService<AuditKeyStore>();
        var ledger = env.Services.GetRequiredService<AuditLedger>();
        var newKey = await keys.RotateAsync((db, id) => ledger.SaveChangesAsync(db, new AuditEntry(AuditCodes.AuditKeyRotated, "audit.rotate-key", "test", "audit-key/" + id, "success", null)));
        await AppendAsync(env, 2);
        var after = await CheckpointAsync(env);

        Assert.NotEqual(before!.KeyId, after!.KeyId);
        Assert.Equal(newKey, after.KeyId);
        var result = await VerifyAsync(env);
        Assert.True(result.Valid, result.Reason);
        Assert.Equal(2, result.CheckpointsVerified);
    }

    [Fact]
    public async Task Verify_Range_WalksToTheNextCheckpoint()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await AppendAsync(env, 6);
        await CheckpointAsync(env);
        await AppendAsync(env, 2);

        var result = await VerifyAsync(env, from: 3, to: 4);
        Assert.True(result.Valid, result.Reason);
        Assert.Equal(4, result.EventsVerified); // 3..6, up to the checkpoint at 6
        Assert.Equal(6, result.LastCheckpointSequence);

        await env.ExecuteSqlAsync("DELETE FROM audit_events WHERE sequence = 5");
        var broken = await VerifyAsync(env, from: 3, to: 4);
        Assert.False(broken.Valid);
        Assert.Equal(5, broken.FirstBrokenSequence);
    }

    [Fact]
    public async Task LoadKeys_PublicKeySwappedInDatabase_RefusesToStart()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var hex = Convert.ToHexString(attacker.ExportSubjectPublicKeyInfo());
        await env.ExecuteSqlAsync($"UPDATE audit_signing_keys SET publickey = X'{hex}'");

        await Assert.ThrowsAsync<CryptographicException>(() => env.Services.GetRequiredService<AuditKeyStore>().InitializeAsync());
    }
}

using Bulwark.Core.Audit;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Audit;

public sealed class AuditLedgerTests
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

    private static async Task<AuditVerification> VerifyAsync(CoreTestEnvironment env)
    {
        await using var scope = env.Scope();
        return await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync();
    }

    [Fact]
    public async Task Verify_UntouchedChain_IsValid()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await AppendAsync(env, 5);

        var result = await VerifyAsync(env);

        Assert.True(result.Valid);
        Assert.Equal(5, result.EventsVerified);
    }

    [Fact]
    public async Task AppendAsync_ConcurrentWriters_KeepOneLinearChain()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var ledger = env.Services.GetRequiredService<AuditLedger>();

        await Task.WhenAll(Enumerable.Range(1, 200).Select(i => ledger.AppendAsync(Entry(i))));
        await AppendAsync(env, 3);

        var result = await VerifyAsync(env);
        Assert.True(result.Valid, result.Reason);
        Assert.Equal(203, result.EventsVerified);
    }

    [Theory]
    [InlineData("UPDATE audit_events SET Details = '{\"n\":99}' WHERE Sequence = 3", 3)]
    [InlineData("UPDATE audit_events SET Outcome = 'denied' WHERE Sequence = 4", 4)]
    [InlineData("UPDATE audit_events SET Principal = 'someone-else' WHERE Sequence = 2", 2)]
    [InlineData("DELETE FROM audit_events WHERE Sequence = 3", 3)]
    public async Task Verify_EditedOrDeletedRow_NamesFirstBrokenSequence(string sql, long broken)
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await AppendAsync(env, 6);

        Assert.Equal(1, await env.ExecuteSqlAsync(sql));
        var result = await VerifyAsync(env);

        Assert.False(result.Valid);
        Assert.Equal(broken, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task Verify_RehashedEditWithoutRelinking_FailsAtNextRow()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await AppendAsync(env, 5);

        // An attacker who edits row 2 and recomputes its own hash still breaks the link from row 3.
        await using (var scope = env.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            var row = await db.AuditEvents.SingleAsync(e => e.Sequence == 2);
            row.Outcome = "denied";
            row.Hash = AuditHasher.ComputeHash(row);
            await db.SaveChangesAsync();
        }

        var result = await VerifyAsync(env);
        Assert.False(result.Valid);
        Assert.Equal(3, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task Verify_SwappedRows_Fails()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await AppendAsync(env, 5);

        await env.ExecuteSqlAsync("UPDATE audit_events SET Sequence = -1 WHERE Sequence = 2");
        await env.ExecuteSqlAsync("UPDATE audit_events SET Sequence = 2 WHERE Sequence = 3");
        await env.ExecuteSqlAsync("UPDATE audit_events SET Sequence = 3 WHERE Sequence = -1");

        var result = await VerifyAsync(env);
        Assert.False(result.Valid);
        Assert.Equal(2, result.FirstBrokenSequence);
    }
}

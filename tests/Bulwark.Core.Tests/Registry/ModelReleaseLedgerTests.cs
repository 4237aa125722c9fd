using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Projects;
using Bulwark.Core.Registry;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Registry;

/// <summary>The release record behind anti-rollback: edits, reorders, truncation and a replayed production row are all caught.</summary>
public sealed class ModelReleaseLedgerTests
{
    private static async Task<CoreTestEnvironment> WithTwoReleasesAsync()
    {
        var env = await CoreTestEnvironment.CreateAsync();
        await using var scope = env.Scope();
        var registrar = scope.ServiceProvider.GetRequiredService<ModelRegistrar>();
        var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
        for (var v = 1; v <= 2; v++)
        {
            Assert.True((await registrar.RegisterAsync(RegistryTestModels.NewVersion("fraud"))).Succeeded);
            Assert.True((await registry.PromoteAsync("fraud", v, ModelStage.Production, "approver", null)).Succeeded);
        }

        return env;
    }

    private static async Task<Outcome<IReadOnlyList<ModelRelease>>> ReadAsync(CoreTestEnvironment env, ModelReleaseLedger? ledger = null)
    {
        await using var scope = env.Scope();
        var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
        return await (ledger ?? env.Services.GetRequiredService<ModelReleaseLedger>()).ReadAsync(db, ProjectIds.Default, "fraud", CancellationToken.None);
    }

    [Fact]
    public async Task Promotions_AreRecordedWithRootDigests_AndVerify()
    {
        await using var env = await WithTwoReleasesAsync();
        var chain = await ReadAsync(env);
        Assert.True(chain.Succeeded, chain.Failure?.Detail);
        Assert.Equal([1, 2], chain.Value.Select(r => r.Version!.Value));
        Assert.All(chain.Value, r => Assert.Matches("^[0-9a-f]{64}$", r.RootDigest!));
    }

    [Theory]
    [InlineData("UPDATE model_releases SET Version = 1 WHERE Sequence = 2")]
    [InlineData("UPDATE model_releases SET RootDigest = '" + "00000000000000000000000000000000000000000000000000000000000000aa' WHERE Sequence = 1")]
    [InlineData("UPDATE model_releases SET Sequence = Sequence * 10")]
    [InlineData("DELETE FROM model_releases WHERE Sequence = 1")]
    [InlineData("UPDATE model_releases SET Tag = (SELECT Tag FROM model_releases WHERE Sequence = 1) WHERE Sequence = 2")]
    public async Task ReadAsync_EditedRecord_IsRefused(string sql)
    {
        await using var env = await WithTwoReleasesAsync();
        Assert.True(await env.ExecuteSqlAsync(sql) > 0);

        // A fresh ledger (a restarted process) still sees the break: the tags chain.
        var chain = await ReadAsync(env, new ModelReleaseLedger(env.Services.GetRequiredService<KeyRing>()));
        Assert.False(chain.Succeeded);
        Assert.Equal(RegistryErrors.ReleaseMismatch, chain.Failure.Code);
    }

    [Fact]
    public async Task ReadAsync_NewestEntryDeleted_IsRefusedByTheProcessThatSawIt()
    {
        await using var env = await WithTwoReleasesAsync();
        Assert.True((await ReadAsync(env)).Succeeded);
        Assert.Equal(1, await env.ExecuteSqlAsync("DELETE FROM model_releases WHERE Sequence = 2"));

        var chain = await ReadAsync(env);
        Assert.False(chain.Succeeded);
        Assert.Contains("shorter", chain.Failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_NewestEntryDeleted_IsRefusedAfterARestartToo_FromTheAuditedLength()
    {
        await using var env = await WithTwoReleasesAsync();
        Assert.Equal(1, await env.ExecuteSqlAsync("DELETE FROM model_releases WHERE Sequence = 2"));

        // A new process (restart, another replica) never saw sequence 2; the promotion's audit event did.
        var chain = await ReadAsync(env, new ModelReleaseLedger(env.Services.GetRequiredService<KeyRing>()));
        Assert.False(chain.Succeeded);
        Assert.Contains("shorter", chain.Failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adoption_AfterReleasesWereRecorded_NeverRuns_EvenWhenTheTableIsEmptied()
    {
        await using var env = await WithTwoReleasesAsync();
        Assert.Equal(2, await env.ExecuteSqlAsync("DELETE FROM model_releases"));

        await ReleaseAdoption.AdoptAsync(env.Services);

        Assert.Empty(await env.AuditAsync(AuditCodes.ModelReleasesAdopted));
        var chain = await ReadAsync(env, new ModelReleaseLedger(env.Services.GetRequiredService<KeyRing>()));
        Assert.False(chain.Succeeded);
    }

    [Fact]
    public async Task Mismatch_ReplayedOlderRow_IsNamed()
    {
        await using var env = await WithTwoReleasesAsync();
        var chain = (await ReadAsync(env)).Value!;
        await using var scope = env.Scope();
        var rows = await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().ModelVersions.AsNoTracking().ToListAsync();

        Assert.Null(ModelReleaseLedger.Mismatch(chain, rows.Single(r => r.Version == 2)));
        Assert.Contains("version 2 is the approved one", ModelReleaseLedger.Mismatch(chain, rows.Single(r => r.Version == 1)), StringComparison.Ordinal);
        Assert.NotNull(ModelReleaseLedger.Mismatch([], rows[0]));
        Assert.NotNull(ModelReleaseLedger.Mismatch(chain, rows.Single(r => r.Version == 2) is var v ? CopyWithDigest(v, new string('0', 64)) : null));
    }

    [Fact]
    public async Task Adoption_RecordsLegacyProductionOnce_AndNeverAgain()
    {
        // A database from before release records: a production row (tagged as the registry did then), no record, and no
        // audit event naming a release.
        await using var env = await CoreTestEnvironment.CreateAsync();
        await using (var scope = env.Scope())
        {
            var services = scope.ServiceProvider;
            Assert.True((await services.GetRequiredService<ModelRegistrar>().RegisterAsync(RegistryTestModels.NewVersion("fraud"))).Succeeded);
            Assert.True((await services.GetRequiredService<ModelRegistrar>().RegisterAsync(RegistryTestModels.NewVersion("fraud"))).Succeeded);
            var db = services.GetRequiredService<BulwarkDbContext>();
            var legacy = await db.ModelVersions.SingleAsync(v => v.Version == 2);
            legacy.Stage = ModelStage.Production;
            legacy.PromotedAt = env.Time.GetUtcNow();
            services.GetRequiredService<ModelStageTag>().Apply(legacy);
            await db.SaveChangesAsync();
        }

        await ReleaseAdoption.AdoptAsync(env.Services);
        var read = await ReadAsync(env, new ModelReleaseLedger(env.Services.GetRequiredService<KeyRing>()));
        Assert.True(read.Succeeded, read.Failure?.Detail);
        var adopted = read.Value!;
        var entry = Assert.Single(adopted);
        Assert.Equal((ReleaseActions.Adopt, 2), (entry.Action, entry.Version!.Value));
        Assert.Single(await env.AuditAsync(AuditCodes.ModelReleasesAdopted));

        // Once the table holds anything, adoption never runs again.
        await ReleaseAdoption.AdoptAsync(env.Services);
        Assert.Single((await ReadAsync(env, new ModelReleaseLedger(env.Services.GetRequiredService<KeyRing>()))).Value!);
        Assert.Single(await env.AuditAsync(AuditCodes.ModelReleasesAdopted));
    }

    private static ModelVersion CopyWithDigest(ModelVersion v, string digest) => new()
    {
        Id = v.Id,
        ProjectId = v.ProjectId,
        ModelName = v.ModelName,
        Version = v.Version,
        Stage = v.Stage,
        ManifestDigest = digest,
    };
}

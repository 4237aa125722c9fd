using System.Text.Json;
using Bulwark.Core.Audit;
using Bulwark.Core.Registry;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Registry;

public sealed class ModelStageTagTests
{
    private static async Task RegisterAsync(CoreTestEnvironment env, int count)
    {
        await using var scope = env.Scope();
        var registrar = scope.ServiceProvider.GetRequiredService<ModelRegistrar>();
        for (var i = 0; i < count; i++)
        {
            Assert.True((await registrar.RegisterAsync(RegistryTestModels.NewVersion("fraud"))).Succeeded);
        }
    }

    private static async Task<ModelVersion> ReadAsync(CoreTestEnvironment env, int version)
    {
        await using var scope = env.Scope();
        return await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().ModelVersions.AsNoTracking()
            .SingleAsync(v => v.ModelName == "fraud" && v.Version == version);
    }

    private static async Task PromoteAsync(CoreTestEnvironment env, int version, ModelStage target = ModelStage.Production)
    {
        await using var scope = env.Scope();
        var result = await scope.ServiceProvider.GetRequiredService<ModelRegistry>().PromoteAsync("fraud", version, target, "admin", null);
        Assert.True(result.Succeeded, result.Failure?.Detail);
    }

    // v1 promoted then replaced by v2, so v1 is retired; then the attack: v1 back to production, v2 retired, in SQL.
    private static async Task RollBackInSqlAsync(CoreTestEnvironment env)
    {
        await RegisterAsync(env, 2);
        await PromoteAsync(env, 1);
        await PromoteAsync(env, 2);
        Assert.Equal(1, await env.ExecuteSqlAsync("UPDATE model_versions SET Stage = 'Production' WHERE Version = 1"));
        Assert.Equal(1, await env.ExecuteSqlAsync("UPDATE model_versions SET Stage = 'Retired' WHERE Version = 2"));
    }

    private static void AssertTampered(Failure? failure, int version)
    {
        Assert.Equal(RegistryErrors.StageTampered, failure?.Code);
        Assert.Equal(503, failure!.Status);
        Assert.Equal($"The stage of model fraud version {version} failed its integrity check.", failure.Detail);
    }

    [Fact]
    public async Task RegisterAndPromote_ThroughRegistry_StoredTagsVerify()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await RegisterAsync(env, 2);
        var tags = env.Services.GetRequiredService<ModelStageTag>();
        Assert.True(tags.Verify(await ReadAsync(env, 1)));

        await PromoteAsync(env, 1);
        await PromoteAsync(env, 2);
        await PromoteAsync(env, 1);

        var v1 = await ReadAsync(env, 1);
        var v2 = await ReadAsync(env, 2);
        Assert.Equal((ModelStage.Production, ModelStage.Retired), (v1.Stage, v2.Stage));
        Assert.True(tags.Verify(v1));
        Assert.True(tags.Verify(v2));
        Assert.Empty(await env.AuditAsync(AuditCodes.ModelIntegrityFailure));
    }

    [Theory]
    [InlineData("stage")]
    [InlineData("version")]
    [InlineData("model")]
    [InlineData("digest")]
    [InlineData("id")]
    [InlineData("tag-bit")]
    [InlineData("tag-empty")]
    [InlineData("tag-truncated")]
    public async Task Verify_AnyBoundFieldOrTagChanged_Fails(string change)
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await RegisterAsync(env, 1);
        var tags = env.Services.GetRequiredService<ModelStageTag>();
        var row = await ReadAsync(env, 1);
        Assert.True(tags.Verify(row));

        switch (change)
        {
            case "stage": row.Stage = ModelStage.Production; break;
            case "version": row.Version = 2; break;
            case "model": row.ModelName = "fraue"; break;
            case "digest": row.ManifestDigest = row.ManifestDigest[..^1] + (row.ManifestDigest[^1] == '0' ? '1' : '0'); break;
            case "id": row.Id = Guid.CreateVersion7(); break;
            case "tag-bit": row.StageTag[^1] ^= 0x01; break;
            case "tag-empty": row.StageTag = []; break;
            default: row.StageTag = row.StageTag[..16]; break;
        }

        Assert.False(tags.Verify(row));
    }

    [Fact]
    public void Compute_FieldBoundaryShifted_DiffersFromOriginal()
    {
        // Without length prefixes ("ab","c") and ("a","bc") would hash the same bytes.
        using var keyRing = new Bulwark.Core.Crypto.KeyRing(Bulwark.Core.Crypto.MasterKeyFile.CreateNew(new Microsoft.Extensions.Time.Testing.FakeTimeProvider()));
        using var tags = new ModelStageTag(keyRing);
        var id = Guid.CreateVersion7();
        var a = new ModelVersion { Id = id, ModelName = "ab", Version = 1, ManifestDigest = "c" };
        var b = new ModelVersion { Id = id, ModelName = "a", Version = 1, ManifestDigest = "bc" };

        Assert.NotEqual(ModelStageTag.Encode(a), ModelStageTag.Encode(b));
        Assert.NotEqual(tags.Compute(a), tags.Compute(b));
    }

    [Fact]
    public async Task Verify_TagCopiedFromAnotherVersionRow_Fails()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await RegisterAsync(env, 2);
        await PromoteAsync(env, 2);

        // The attacker copies the genuine production row's tag onto the old version and marks it production.
        Assert.Equal(1, await env.ExecuteSqlAsync(
            "UPDATE model_versions SET Stage = 'Production', StageTag = (SELECT StageTag FROM model_versions WHERE Version = 2) WHERE Version = 1"));

        var v1 = await ReadAsync(env, 1);
        Assert.Equal((await ReadAsync(env, 2)).StageTag, v1.StageTag);
        Assert.False(env.Services.GetRequiredService<ModelStageTag>().Verify(v1));
    }

    [Fact]
    public async Task Verify_TagForgedUnderAnotherMasterKey_Fails()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await using var attacker = await CoreTestEnvironment.CreateAsync();
        await RegisterAsync(env, 1);
        var row = await ReadAsync(env, 1);
        row.Stage = ModelStage.Production;
        var forged = attacker.Services.GetRequiredService<ModelStageTag>().Compute(row);

        await env.ExecuteSqlAsync($"UPDATE model_versions SET Stage = 'Production', StageTag = X'{Convert.ToHexString(forged)}' WHERE Version = 1");

        var stored = await ReadAsync(env, 1);
        Assert.Equal(forged, stored.StageTag);
        Assert.False(env.Services.GetRequiredService<ModelStageTag>().Verify(stored));
    }

    [Fact]
    public async Task GetProductionAsync_OldVersionFlippedInSql_TamperedAndAudited()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await RollBackInSqlAsync(env);
        await using var scope = env.Scope();

        var result = await scope.ServiceProvider.GetRequiredService<ModelRegistry>().GetProductionAsync("fraud");

        AssertTampered(result.Failure, 1);
        var audit = Assert.Single(await env.AuditAsync(AuditCodes.ModelIntegrityFailure));
        Assert.Equal("model/fraud/1", audit.Resource);
        using var details = JsonDocument.Parse(audit.Details);
        Assert.Equal("stage-tag", details.RootElement.GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData(1, ModelStage.Retired, 1)]
    [InlineData(2, ModelStage.Production, 2)]
    public async Task PromoteAsync_StageFlippedInSql_RefusedUnchangedAndAudited(int version, ModelStage target, int refused)
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await RollBackInSqlAsync(env);
        var promotedBefore = (await env.AuditAsync(AuditCodes.ModelPromoted)).Count;
        await using var scope = env.Scope();

        var result = await scope.ServiceProvider.GetRequiredService<ModelRegistry>().PromoteAsync("fraud", version, target, "admin", "10.0.0.1");

        AssertTampered(result.Failure, refused);
        Assert.Equal((ModelStage.Production, ModelStage.Retired), ((await ReadAsync(env, 1)).Stage, (await ReadAsync(env, 2)).Stage));
        Assert.Equal(promotedBefore, (await env.AuditAsync(AuditCodes.ModelPromoted)).Count);
        var audit = Assert.Single(await env.AuditAsync(AuditCodes.ModelIntegrityFailure));
        Assert.Equal(("model.promote", "admin", $"model/fraud/{refused}"), (audit.Action, audit.Principal, audit.Resource));
        Assert.Contains("stage-tag", audit.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromoteAsync_CandidateOverForgedProductionRow_RefusedWithoutRetiringAnything()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await RegisterAsync(env, 3);
        await PromoteAsync(env, 1);
        await PromoteAsync(env, 2);
        // A second production row next to the genuine one: promoting v3 would otherwise re-tag (launder) it as retired.
        await env.ExecuteSqlAsync("UPDATE model_versions SET Stage = 'Production' WHERE Version = 1");
        await using var scope = env.Scope();

        var result = await scope.ServiceProvider.GetRequiredService<ModelRegistry>().PromoteAsync("fraud", 3, ModelStage.Production, "admin", null);

        AssertTampered(result.Failure, 1);
        Assert.Equal(ModelStage.Candidate, (await ReadAsync(env, 3)).Stage);
        Assert.Equal(ModelStage.Production, (await ReadAsync(env, 2)).Stage);
    }
}

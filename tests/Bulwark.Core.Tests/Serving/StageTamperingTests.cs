using System.Text;
using System.Text.Json;
using Bulwark.Core.Audit;
using Bulwark.Core.Identity;
using Bulwark.Core.Registry;
using Bulwark.Core.Serving;
using Bulwark.Core.Storage;
using Bulwark.Core.Tests.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Serving;

/// <summary>
/// The rollback attack: someone who can write the database but lacks the master key marks an old, validly signed
/// version as production. The manifest signature still verifies; the stage tag must not.
/// </summary>
public sealed class StageTamperingTests
{
    private static readonly BulwarkPrincipal Operator = new("key-3", "operator", new HashSet<string> { "predict:fraud", "models:read" }, "api-key");

    private const string Body = "{\"instances\":[{\"a\":9.5,\"b\":9,\"c\":1,\"d\":1}]}";

    private static PredictionCall Call(int? version = null) => new("fraud", version, Encoding.UTF8.GetBytes(Body), PredictionProtocol.V1, Operator, "10.0.0.9", false);

    private static async Task RegisterAsync(CoreTestEnvironment env, int count)
    {
        await using var scope = env.Scope();
        for (var i = 0; i < count; i++)
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<ModelRegistrar>().RegisterAsync(RegistryTestModels.NewVersion("fraud"))).Succeeded);
        }
    }

    private static async Task PromoteAsync(CoreTestEnvironment env, int version, ModelStage target = ModelStage.Production)
    {
        await using var scope = env.Scope();
        var result = await scope.ServiceProvider.GetRequiredService<ModelRegistry>().PromoteAsync("fraud", version, target, "admin", null);
        Assert.True(result.Succeeded, result.Failure?.Detail);
    }

    /// <summary>v1 then v2 promoted through the registry (v1 retired), v2 served once so it is cached and loaded.</summary>
    private static async Task<PredictionService> ServeSecondVersionAsync(CoreTestEnvironment env)
    {
        await RegisterAsync(env, 2);
        await PromoteAsync(env, 1);
        await PromoteAsync(env, 2);
        var service = env.Services.GetRequiredService<PredictionService>();
        var served = await service.PredictAsync(Call());
        Assert.True(served.Succeeded, served.Failure?.Detail);
        Assert.Equal(2, served.Value.Version);
        return service;
    }

    private static async Task AssertRefusedAsync(CoreTestEnvironment env, PredictionService service, int? requested, int flagged)
    {
        var result = await service.PredictAsync(Call(requested));

        Assert.False(result.Succeeded);
        Assert.Equal(RegistryErrors.StageTampered, result.Failure.Code);
        Assert.Equal(503, result.Failure.Status);
        Assert.Equal($"The stage of model fraud version {flagged} failed its integrity check.", result.Failure.Detail);
        var integrity = await env.AuditAsync(AuditCodes.ModelIntegrityFailure);
        Assert.NotEmpty(integrity);
        Assert.Equal($"model/fraud/{flagged}", integrity[^1].Resource);
        using var details = JsonDocument.Parse(integrity[^1].Details);
        Assert.Equal("stage-tag", details.RootElement.GetProperty("reason").GetString());
        Assert.Equal(RegistryErrors.StageTampered, details.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task PredictAsync_OldVersionSetToProductionInSqlAfterCacheReset_RefusedAndAudited()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var service = await ServeSecondVersionAsync(env);
        Assert.Equal(1, await env.ExecuteSqlAsync("UPDATE model_versions SET Stage = 'Production' WHERE Version = 1"));
        Assert.Equal(1, await env.ExecuteSqlAsync("UPDATE model_versions SET Stage = 'Retired' WHERE Version = 2"));
        env.Services.GetRequiredService<LoadedModelCache>().Invalidate(Bulwark.Core.Projects.ProjectIds.Default, "fraud");

        await AssertRefusedAsync(env, service, null, 1);

        // Refused again on the next call: the refusal was not cached as a resolved row, nor did the row reach the loader.
        await AssertRefusedAsync(env, service, null, 1);
        Assert.Equal(2, (await env.AuditAsync(AuditCodes.ModelIntegrityFailure)).Count);
        Assert.Single(await env.AuditAsync(AuditCodes.PredictionServed));
        Assert.Equal(2, (await env.AuditAsync(AuditCodes.PredictionRejected)).Count);
    }

    [Fact]
    public async Task PredictAsync_OldVersionByExplicitVersionAfterFlip_Refused()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var service = await ServeSecondVersionAsync(env);
        await env.ExecuteSqlAsync("UPDATE model_versions SET Stage = 'Production' WHERE Version = 1");
        env.Services.GetRequiredService<LoadedModelCache>().Invalidate(Bulwark.Core.Projects.ProjectIds.Default, "fraud");

        await AssertRefusedAsync(env, service, 1, 1);
    }

    [Fact]
    public async Task PredictAsync_ForgedSecondProductionRowBesideGenuine_Refused()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var service = await ServeSecondVersionAsync(env);
        // The genuine production row stays; whichever row a query happens to return, the forged one must be noticed.
        await env.ExecuteSqlAsync("UPDATE model_versions SET Stage = 'Production' WHERE Version = 1");
        env.Services.GetRequiredService<LoadedModelCache>().Invalidate(Bulwark.Core.Projects.ProjectIds.Default, "fraud");

        await AssertRefusedAsync(env, service, null, 1);
    }

    [Fact]
    public async Task PredictAsync_TagCopiedFromProductionRow_Refused()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var service = await ServeSecondVersionAsync(env);
        await env.ExecuteSqlAsync("UPDATE model_versions SET Stage = 'Production', StageTag = (SELECT StageTag FROM model_versions WHERE Version = 2) WHERE Version = 1");
        await env.ExecuteSqlAsync("UPDATE model_versions SET Stage = 'Retired' WHERE Version = 2");
        env.Services.GetRequiredService<LoadedModelCache>().Invalidate(Bulwark.Core.Projects.ProjectIds.Default, "fraud");

        await AssertRefusedAsync(env, service, null, 1);
    }

    [Fact]
    public async Task PredictAsync_LegitimateRollbackAndRollForward_Served()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var service = await ServeSecondVersionAsync(env);

        await PromoteAsync(env, 1);
        var rolledBack = await service.PredictAsync(Call());
        await PromoteAsync(env, 2);
        var rolledForward = await service.PredictAsync(Call());
        await PromoteAsync(env, 2, ModelStage.Retired);
        var none = await service.PredictAsync(Call());

        Assert.True(rolledBack.Succeeded, rolledBack.Failure?.Detail);
        Assert.Equal(1, rolledBack.Value.Version);
        Assert.True(rolledForward.Succeeded, rolledForward.Failure?.Detail);
        Assert.Equal(2, rolledForward.Value.Version);
        Assert.Equal(ServingErrors.ModelNotReady, none.Failure?.Code);
        Assert.Empty(await env.AuditAsync(AuditCodes.ModelIntegrityFailure));
    }

    [Fact]
    public async Task LoadAsync_RowWithForgedStage_RefusedByLoaderToo()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await RegisterAsync(env, 1);
        ModelVersion row;
        await using (var scope = env.Scope())
        {
            row = await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().ModelVersions.AsNoTracking().SingleAsync();
        }

        row.Stage = ModelStage.Production;
        var result = await env.Services.GetRequiredService<ModelLoader>().LoadAsync(row);

        Assert.Equal(RegistryErrors.StageTampered, result.Failure?.Code);
        Assert.Equal(503, result.Failure!.Status);
        Assert.Equal("model.load", Assert.Single(await env.AuditAsync(AuditCodes.ModelIntegrityFailure)).Action);
    }
}

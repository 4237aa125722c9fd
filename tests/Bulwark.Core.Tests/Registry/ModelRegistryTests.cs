using Bulwark.Core.Audit;
using Bulwark.Core.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Registry;

public sealed class ModelRegistryTests
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

    [Fact]
    public async Task PromoteAsync_CandidateOverProduction_RetiresPreviousAndAudits()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await RegisterAsync(env, 2);
        await using var scope = env.Scope();
        var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();

        Assert.True((await registry.PromoteAsync("fraud", 1, ModelStage.Production, "admin", "10.0.0.1")).Succeeded);
        var second = await registry.PromoteAsync("fraud", 2, ModelStage.Production, "admin", "10.0.0.1");

        Assert.True(second.Succeeded, second.Failure?.Detail);
        Assert.Equal(2, (await registry.GetProductionAsync("fraud")).Value!.Version);
        Assert.Equal(ModelStage.Retired, (await registry.GetVersionAsync("fraud", 1)).Value!.Stage);
        Assert.Equal(2, (await env.AuditAsync(AuditCodes.ModelPromoted)).Count);
        var retired = Assert.Single(await env.AuditAsync(AuditCodes.ModelRetired));
        Assert.Equal("model/fraud/1", retired.Resource);
    }

    [Fact]
    public async Task PromoteAsync_RetiredBackToProduction_RollsBack()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await RegisterAsync(env, 2);
        await using var scope = env.Scope();
        var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
        await registry.PromoteAsync("fraud", 1, ModelStage.Production, "admin", null);
        await registry.PromoteAsync("fraud", 2, ModelStage.Production, "admin", null);

        var rollback = await registry.PromoteAsync("fraud", 1, ModelStage.Production, "admin", null);

        Assert.True(rollback.Succeeded);
        Assert.Equal(1, (await registry.GetProductionAsync("fraud")).Value!.Version);
        Assert.Single(await registry.ListAsync("fraud"), v => v.Stage == ModelStage.Production);
    }

    [Theory]
    [InlineData("retired", "candidate")]
    [InlineData("candidate", "candidate")]
    [InlineData("production", "production")]
    [InlineData("production", "candidate")]
    [InlineData("retired", "retired")]
    public async Task PromoteAsync_DisallowedTransition_Conflict(string from, string to)
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await RegisterAsync(env, 2);
        await using var scope = env.Scope();
        var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
        if (from != "candidate")
        {
            await registry.PromoteAsync("fraud", 1, ModelStage.Production, "admin", null);
        }

        if (from == "retired")
        {
            await registry.PromoteAsync("fraud", 1, ModelStage.Retired, "admin", null);
        }

        var result = await registry.PromoteAsync("fraud", 1, Enum.Parse<ModelStage>(to, ignoreCase: true), "admin", null);

        Assert.Equal(RegistryErrors.InvalidStage, result.Failure?.Code);
        Assert.Equal(409, result.Failure!.Status);
    }

    [Fact]
    public async Task Lookups_UnknownModelOrVersion_NotFound()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await RegisterAsync(env, 1);
        await using var scope = env.Scope();
        var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();

        Assert.Equal(RegistryErrors.ModelNotFound, (await registry.GetVersionAsync("nope", 1)).Failure?.Code);
        Assert.Equal(RegistryErrors.VersionNotFound, (await registry.GetVersionAsync("fraud", 9)).Failure?.Code);
        Assert.Equal(RegistryErrors.VersionNotFound, (await registry.GetProductionAsync("fraud")).Failure?.Code);
        Assert.Equal(RegistryErrors.VersionNotFound, (await registry.PromoteAsync("fraud", 9, ModelStage.Production, "a", null)).Failure?.Code);
        Assert.Single(await registry.ListAsync(null));
    }

    [Fact]
    public async Task GetVersionAsync_SealedFeatureSchemasSwapped_IntegrityFailureAudited()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await RegisterAsync(env, 2);
        await using var scope = env.Scope();
        var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
        var first = (await registry.GetVersionAsync("fraud", 1)).Value!;
        var second = (await registry.GetVersionAsync("fraud", 2)).Value!;
        Assert.NotNull(registry.SchemaOf(first));

        // Same schema content in both rows: only the sealed value's binding to its row id exposes the swap.
        await env.ExecuteSqlAsync($"UPDATE model_versions SET FeatureSchemaJson = '{second.FeatureSchemaJson}' WHERE Version = 1");
        await env.ExecuteSqlAsync($"UPDATE model_versions SET FeatureSchemaJson = '{first.FeatureSchemaJson}' WHERE Version = 2");

        foreach (var version in new[] { 1, 2 })
        {
            var got = await registry.GetVersionAsync("fraud", version);
            Assert.False(got.Succeeded);
            Assert.Equal(RegistryErrors.SignatureInvalid, got.Failure.Code);
            Assert.Equal(503, got.Failure.Status);
        }

        Assert.Equal(2, (await env.AuditAsync(AuditCodes.ModelIntegrityFailure)).Count);
        Assert.All(await registry.ListAsync("fraud"), row => Assert.Null(registry.SchemaOf(row)));
    }
}

using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Datasets;
using Bulwark.Core.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Registry;

public sealed class ModelRegistrarTests
{
    [Fact]
    public async Task RegisterAsync_TwoVersions_NumbersThemAndStoresSignedEncryptedFiles()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await using var scope = env.Scope();
        var registrar = scope.ServiceProvider.GetRequiredService<ModelRegistrar>();

        var first = await registrar.RegisterAsync(RegistryTestModels.NewVersion("fraud"));
        var second = await registrar.RegisterAsync(RegistryTestModels.NewVersion("fraud"));
        var other = await registrar.RegisterAsync(RegistryTestModels.NewVersion("churn"));

        Assert.True(first.Succeeded, first.Failure?.Detail);
        Assert.Equal((1, 2, 1), (first.Value.Version, second.Value!.Version, other.Value!.Version));
        Assert.Equal(ModelStage.Candidate, first.Value.Stage);
        var sealer = env.Services.GetRequiredService<EnvelopeEncryption>();
        Assert.StartsWith(SealedColumn.Prefix, first.Value.ManifestEnvelope, StringComparison.Ordinal);
        Assert.StartsWith(SealedColumn.Prefix, first.Value.FeatureSchemaJson, StringComparison.Ordinal);
        var envelope = ModelVersionView.ManifestEnvelope(sealer, first.Value);
        Assert.Equal(ModelManifest.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(envelope)), first.Value.ManifestDigest);
        Assert.Equal(4, ModelVersionView.Schema(sealer, first.Value).Features.Count);
        Assert.Equal("{\"accuracy\":0.9}", first.Value.MetricsJson);

        var store = env.Services.GetRequiredService<ArtifactStore>();
        var onDisk = await File.ReadAllBytesAsync(store.FullPath(ModelRegistrar.ArtifactPurpose, ModelRegistrar.ObjectId(first.Value.Id, "model.zip")));
        Assert.True(onDisk.AsSpan().StartsWith("BWE1"u8));
        Assert.Equal(-1, onDisk.AsSpan().IndexOf(RegistryTestModels.NumericZip.AsSpan(0, 64)));

        var verifier = await env.Services.GetRequiredService<ManifestSigner>().GetVerifierAsync();
        var verified = verifier.Verify(envelope, new Dictionary<string, byte[]> { ["model.zip"] = RegistryTestModels.NumericZip });
        Assert.True(verified.Valid, verified.Detail);
        Assert.Equal(1, verified.Manifest!.Content.Version);
        Assert.Equal("sdca", verified.Manifest.Content.Trainer);

        // Trained versions are audited as TrainingSucceeded (in the same save), never as imports.
        Assert.Empty(await env.AuditAsync(AuditCodes.ModelImported));
    }

    [Fact]
    public async Task RegisterAsync_ConcurrentRegistrations_GetDistinctVersionNumbers()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var scope = env.Scope();
            return await scope.ServiceProvider.GetRequiredService<ModelRegistrar>().RegisterAsync(RegistryTestModels.NewVersion("fraud"));
        }));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Failure?.Detail));
        Assert.Equal([1, 2, 3, 4], results.Select(r => r.Value!.Version).Order());

        // Losers of a race re-sign under their final number: every stored manifest names its own version.
        var verifier = await env.Services.GetRequiredService<ManifestSigner>().GetVerifierAsync();
        var sealer = env.Services.GetRequiredService<EnvelopeEncryption>();
        Assert.All(results, r => Assert.Equal(r.Value!.Version,
            verifier.VerifyEnvelope(ModelVersionView.ManifestEnvelope(sealer, r.Value)).Manifest!.Content.Version));
    }

    [Fact]
    public async Task RegisterAsync_TrainedVersion_EveryVersionRowHasItsAuditEvent()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await using var scope = env.Scope();
        var registrar = scope.ServiceProvider.GetRequiredService<ModelRegistrar>();
        var jobId = Guid.NewGuid();
        var first = await registrar.RegisterAsync(RegistryTestModels.NewVersion("fraud") with { JobId = jobId });
        var second = await registrar.RegisterAsync(RegistryTestModels.NewVersion("fraud"));

        var db = scope.ServiceProvider.GetRequiredService<Bulwark.Core.Storage.BulwarkDbContext>();
        var rows = await db.ModelVersions.AsNoTracking().OrderBy(v => v.Version).ToListAsync();
        var events = await env.AuditAsync(AuditCodes.TrainingSucceeded);
        Assert.Equal(2, rows.Count);
        Assert.Equal(rows.Select(v => $"model/{v.ModelName}/{v.Version}"), events.Select(e => e.Resource));
        Assert.All(events, e => Assert.Equal("model.register", e.Action));
        Assert.Contains(first.Value!.ManifestDigest, events[0].Details, StringComparison.Ordinal);
        Assert.Contains(jobId.ToString(), events[0].Details, StringComparison.Ordinal);
        Assert.Contains(second.Value!.ManifestDigest, events[1].Details, StringComparison.Ordinal);
        Assert.True((await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync()).Valid);
    }

    [Fact]
    public async Task RegisterAsync_Import_AuditsModelImportedInSameSave()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await using var scope = env.Scope();
        var result = await scope.ServiceProvider.GetRequiredService<ModelRegistrar>().RegisterAsync(RegistryTestModels.NewVersion("fraud", trainer: null));

        var audit = Assert.Single(await env.AuditAsync(AuditCodes.ModelImported));
        Assert.Equal("model/fraud/1", audit.Resource);
        Assert.Contains(result.Value!.ManifestDigest, audit.Details, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../evil", "model.zip")]
    [InlineData("Fraud", "model.zip")]
    [InlineData("fraud", "../model.zip")]
    [InlineData("fraud", "weights.bin")]
    public async Task RegisterAsync_InvalidNameOrFiles_SchemaInvalidAndNothingStored(string model, string file)
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await using var scope = env.Scope();
        var nv = RegistryTestModels.NewVersion("fraud") with
        {
            ModelName = model,
            Files = new Dictionary<string, byte[]> { [file] = [1, 2, 3] },
        };

        var result = await scope.ServiceProvider.GetRequiredService<ModelRegistrar>().RegisterAsync(nv);

        Assert.Equal(RegistryErrors.SchemaInvalid, result.Failure?.Code);
        var objects = Path.Combine(env.DataDir, "objects", ModelRegistrar.ArtifactPurpose);
        Assert.False(Directory.Exists(objects) && Directory.EnumerateFiles(objects, "*", SearchOption.AllDirectories).Any());
    }
}

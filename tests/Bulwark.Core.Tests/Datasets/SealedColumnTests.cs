using System.Text;
using Bulwark.Core.Crypto;
using Bulwark.Core.Datasets;
using Bulwark.Core.Registry;
using Bulwark.Core.Storage;
using Bulwark.Core.Tests.Training;
using Bulwark.Core.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Datasets;

/// <summary>Encryption at rest of the metadata columns derived from classified data (schemas, feature schemas, manifests).</summary>
public sealed class SealedColumnTests
{
    private const string Canary = "CANARY-CATEGORY-7c1e";

    private static async Task<Dataset> ImportCanaryAsync(CoreTestEnvironment env)
    {
        var csv = TrainingTestData.BinaryCsv().Replace("south", Canary, StringComparison.Ordinal);
        await using var scope = env.Scope();
        var importer = scope.ServiceProvider.GetRequiredService<DatasetImporter>();
        var outcome = await importer.ImportAsync(
            new DatasetImportRequest("canary", DataClassification.Restricted, "outcome", null, "key:test", null), new MemoryStream(Encoding.UTF8.GetBytes(csv)));
        Assert.True(outcome.Succeeded, outcome.Failure?.Detail);
        return outcome.Value;
    }

    private static async Task TrainAsync(CoreTestEnvironment env, Guid datasetId)
    {
        await using var scope = env.Scope();
        var submitted = await scope.ServiceProvider.GetRequiredService<TrainingJobs>()
            .SubmitAsync("canary-model", new TrainingRequest(datasetId, "outcome"), "key:test", "127.0.0.1");
        Assert.True(submitted.Succeeded, submitted.Failure?.Detail);
        var job = await scope.ServiceProvider.GetRequiredService<TrainingRunner>().RunAsync(submitted.Value.Id);
        Assert.True(job?.State == JobState.Succeeded, job?.Message);
    }

    /// <summary>The canary as UTF-8, and the stable part of its base64 at each of the three byte alignments.</summary>
    private static List<byte[]> Needles()
    {
        var plain = Encoding.UTF8.GetBytes(Canary);
        var needles = new List<byte[]> { plain };
        for (var shift = 0; shift < 3; shift++)
        {
            var b64 = Convert.ToBase64String([.. new byte[shift], .. plain]);

            // Skip the characters that also encode the leading filler and the final (padded) group.
            var start = shift == 0 ? 0 : 4;
            needles.Add(Encoding.ASCII.GetBytes(b64[start..^4]));
        }

        return needles;
    }

    private static async Task<List<string>> FilesHoldingCanaryAsync(string dataDir)
    {
        var hits = new List<string>();
        var needles = Needles();
        foreach (var path in Directory.EnumerateFiles(dataDir, "*", SearchOption.AllDirectories))
        {
            // Shared read: the database (and its -wal/-shm) is still open, as it would be for an attacker copying it.
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer);
            var bytes = buffer.ToArray();
            if (needles.Any(n => bytes.AsSpan().IndexOf(n) >= 0))
            {
                hits.Add(Path.GetRelativePath(dataDir, path));
            }
        }

        return hits;
    }

    [Fact]
    public async Task ImportAndTrain_RestrictedCanaryCategory_NeverStoredInClear()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var dataset = await ImportCanaryAsync(env);
        await TrainAsync(env, dataset.Id);

        // The control must be able to fail: the canary really went through the schema, the feature schema and the manifest.
        var sealer = env.Services.GetRequiredService<EnvelopeEncryption>();
        await using (var scope = env.Scope())
        {
            var catalog = scope.ServiceProvider.GetRequiredService<DatasetCatalog>();
            var schema = catalog.ReadSchema((await catalog.GetAsync(dataset.Id)).Value!);
            Assert.Contains(Canary, schema.Value!.Find("region")!.Categories!);
            var version = await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().ModelVersions.AsNoTracking().SingleAsync();
            Assert.Contains(Canary, ModelVersionView.Schema(sealer, version).Features.Single(f => f.Name == "region").Categories!);
            var manifest = ModelVersionView.ManifestEnvelope(sealer, version);
            var payload = System.Text.Json.Nodes.JsonNode.Parse(manifest)!["payload"]!.GetValue<string>();
            Assert.Contains(Canary, Encoding.UTF8.GetString(Convert.FromBase64String(payload)), StringComparison.Ordinal);
            Assert.DoesNotContain(payload[..64], version.ManifestEnvelope, StringComparison.Ordinal);
        }

        Assert.Empty(await FilesHoldingCanaryAsync(env.DataDir));
    }

    [Fact]
    public async Task FilesHoldingCanary_CanaryWrittenInClear_IsFound()
    {
        // The scan itself must be able to fail: a plaintext schema row (as before sealing) is detected.
        await using var env = await CoreTestEnvironment.CreateAsync();
        var dataset = await ImportCanaryAsync(env);
        await env.ExecuteSqlAsync($"UPDATE datasets SET Name = 'x{Canary}' WHERE Id = (SELECT Id FROM datasets)");

        Assert.NotEmpty(await FilesHoldingCanaryAsync(env.DataDir));
        Assert.NotEqual(Guid.Empty, dataset.Id);
    }

    [Fact]
    public async Task GetAsync_SchemaColumnsSwappedBetweenDatasets_IntegrityFailedNotThrown()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var a = await ImportCanaryAsync(env);
        var b = await ImportCanaryAsync(env);
        // Both datasets have the same content, so each swapped schema is plausible for the other row: only the binding
        // of the sealed value to its row id tells them apart.
        Assert.Equal(1, await env.ExecuteSqlAsync($"UPDATE datasets SET SchemaJson = 'swap' WHERE SchemaJson = '{a.SchemaJson}'"));
        Assert.Equal(1, await env.ExecuteSqlAsync($"UPDATE datasets SET SchemaJson = '{a.SchemaJson}' WHERE SchemaJson = '{b.SchemaJson}'"));
        Assert.Equal(1, await env.ExecuteSqlAsync($"UPDATE datasets SET SchemaJson = '{b.SchemaJson}' WHERE SchemaJson = 'swap'"));

        await using var scope = env.Scope();
        var catalog = scope.ServiceProvider.GetRequiredService<DatasetCatalog>();
        foreach (var id in new[] { a.Id, b.Id })
        {
            var got = await catalog.GetAsync(id);
            Assert.False(got.Succeeded);
            Assert.Equal(DatasetErrors.IntegrityFailed, got.Failure.Code);
            var loaded = await catalog.LoadAsync(id);
            Assert.Equal(DatasetErrors.IntegrityFailed, loaded.Failure?.Code);
        }

        var submitted = await scope.ServiceProvider.GetRequiredService<TrainingJobs>()
            .SubmitAsync("swapped", new TrainingRequest(a.Id, "outcome"), "key:test", null);
        Assert.Equal(DatasetErrors.IntegrityFailed, submitted.Failure?.Code);
    }

    [Fact]
    public async Task GetAsync_PlaintextSchemaWrittenIntoColumn_IntegrityFailed()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var a = await ImportCanaryAsync(env);
        await env.ExecuteSqlAsync("UPDATE datasets SET SchemaJson = '{\"columns\":[]}'");

        await using var scope = env.Scope();
        var got = await scope.ServiceProvider.GetRequiredService<DatasetCatalog>().GetAsync(a.Id);
        Assert.Equal(DatasetErrors.IntegrityFailed, got.Failure?.Code);
    }

    [Fact]
    public async Task Open_OtherPurposeRowOrAlteredText_Throws()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var id = Guid.NewGuid();
        var sealer = env.Services.GetRequiredService<EnvelopeEncryption>();
        var stored = SealedColumn.Seal(sealer, "{\"a\":1}", id, SealedColumn.FeatureSchemaPurpose);

        Assert.Equal("{\"a\":1}", SealedColumn.Open(sealer, stored, id, SealedColumn.FeatureSchemaPurpose));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => SealedColumn.Open(sealer, stored, id, SealedColumn.ManifestPurpose));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => SealedColumn.Open(sealer, stored, Guid.NewGuid(), SealedColumn.FeatureSchemaPurpose));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => SealedColumn.Open(sealer, stored[..^2] + "!!", id, SealedColumn.FeatureSchemaPurpose));
    }
}

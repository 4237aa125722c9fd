using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Registry;

/// <summary>What the server hands out verifies offline with nothing but its public key; what fails verification is never handed out.</summary>
public sealed class ModelArtifactsTests
{
    private static async Task<(ModelVersion Version, ExportedModel Export)> RegisterAndExportAsync(CoreTestEnvironment env)
    {
        await using var scope = env.Scope();
        var registered = await scope.ServiceProvider.GetRequiredService<ModelRegistrar>().RegisterAsync(RegistryTestModels.NewVersion("fraud"));
        Assert.True(registered.Succeeded, registered.Failure?.Detail);
        var export = await scope.ServiceProvider.GetRequiredService<ModelArtifacts>().ExportAsync("fraud", registered.Value.Version, "alice", "192.0.2.1");
        Assert.True(export.Succeeded, export.Failure?.Detail);
        return (registered.Value, export.Value);
    }

    private static string Extract(byte[] zip)
    {
        var dir = Directory.CreateTempSubdirectory("bulwark-export-").FullName;
        using var archive = new ZipArchive(new MemoryStream(zip));
        archive.ExtractToDirectory(dir);
        return dir;
    }

    [Fact]
    public async Task Export_ServerSignedVersion_VerifiesOfflineWithOnlyThePublicKey()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var (version, export) = await RegisterAndExportAsync(env);
        var dir = Extract(export.Zip);
        try
        {
            Assert.Equal(["model.sig", "model.zip"], Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Equal(RegistryTestModels.NumericZip, await File.ReadAllBytesAsync(Path.Combine(dir, "model.zip")));
            var pem = await env.Services.GetRequiredService<ManifestSigner>().GetPublicKeyPemAsync();

            var result = ModelDirectoryVerifier.Verify(dir, await File.ReadAllBytesAsync(Path.Combine(dir, "model.sig")), pem, Path.Combine(dir, "model.sig"));

            Assert.True(result.Valid, result.Detail);
            Assert.Equal(("fraud", version.Version, version.Id), (result.Content!.Model, result.Content.Version, result.Content.VersionId));
            Assert.Equal(export.RootDigest, result.Statement!.RootDigest);

            // New signatures are DER (what the OpenSSF tools verify) and the root digest is the OMS one.
            Assert.True(OmsBundle.TryParse(await File.ReadAllBytesAsync(Path.Combine(dir, "model.sig")), out var bundle, out _));
            Assert.Equal(0x30, bundle.Envelope.Signatures[0].Sig[0]);
            Assert.Equal(ModelManifest.OmsRootDigest(result.Statement.Resources), result.Statement.RootDigest);

            // The same folder, one byte changed: the same offline check fails.
            var model = await File.ReadAllBytesAsync(Path.Combine(dir, "model.zip"));
            model[100] ^= 0x40;
            await File.WriteAllBytesAsync(Path.Combine(dir, "model.zip"), model);
            Assert.Equal(RegistryErrors.DigestMismatch, ModelDirectoryVerifier.Verify(dir, await File.ReadAllBytesAsync(Path.Combine(dir, "model.sig")), pem,
                Path.Combine(dir, "model.sig")).Code);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Export_IsAuditedWithTheZipDigest()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var (version, export) = await RegisterAndExportAsync(env);

        var exported = Assert.Single(await env.AuditAsync(AuditCodes.ModelExported));

        Assert.Equal(("model.export", "alice", $"model/fraud/{version.Version}", "success"), (exported.Action, exported.Principal, exported.Resource, exported.Outcome));
        using var details = JsonDocument.Parse(exported.Details);
        Assert.Equal(ModelManifest.Sha256Hex(export.Zip), details.RootElement.GetProperty("sha256").GetString());
        Assert.Equal(export.RootDigest, details.RootElement.GetProperty("rootDigest").GetString());
    }

    [Fact]
    public async Task Export_StoredArtifactTampered_RefusedAndAuditedAsIntegrityFailure()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await using var scope = env.Scope();
        var version = (await scope.ServiceProvider.GetRequiredService<ModelRegistrar>().RegisterAsync(RegistryTestModels.NewVersion("fraud"))).Value!;
        var path = env.Services.GetRequiredService<ArtifactStore>().FullPath(ModelRegistrar.ArtifactPurpose, ModelRegistrar.ObjectId(version.Id, "model.zip"));
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^5] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);

        var export = await scope.ServiceProvider.GetRequiredService<ModelArtifacts>().ExportAsync("fraud", version.Version, "alice", null);

        Assert.Equal(503, export.Failure!.Status);
        Assert.Empty(await env.AuditAsync(AuditCodes.ModelExported));
        Assert.Contains(await env.AuditAsync(AuditCodes.ModelIntegrityFailure), e => e.Action == "model.export");
    }

    [Fact]
    public async Task Export_FromAnotherProject_LooksMissing()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await RegisterAndExportAsync(env);
        await using var other = env.Scope("other");

        var export = await other.ServiceProvider.GetRequiredService<ModelArtifacts>().ExportAsync("fraud", 1, "mallory", null);

        Assert.Equal((RegistryErrors.ModelNotFound, 404), (export.Failure!.Code, export.Failure.Status));
    }

    [Fact]
    public async Task Bom_TrainedVersion_EveryFactFromTheSignedManifest()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await using var scope = env.Scope();
        var nv = RegistryTestModels.NewVersion("fraud") with { DatasetId = Guid.CreateVersion7(), DatasetDigest = new string('a', 64) };
        var version = (await scope.ServiceProvider.GetRequiredService<ModelRegistrar>().RegisterAsync(nv)).Value!;
        var artifacts = scope.ServiceProvider.GetRequiredService<ModelArtifacts>();

        var bom = await artifacts.BomAsync("fraud", version.Version);

        Assert.True(bom.Succeeded, bom.Failure?.Detail);
        var signature = await artifacts.SignatureAsync("fraud", version.Version, "alice", null);
        Assert.True(OmsBundle.TryParse(signature.Value!, out var bundle, out _));
        Assert.True(ModelManifest.TryParse(bundle.Envelope.Payload, out var manifest, out _));
        using var doc = JsonDocument.Parse(bom.Value!);
        var root = doc.RootElement;
        Assert.Equal(("CycloneDX", "1.6"), (root.GetProperty("bomFormat").GetString(), root.GetProperty("specVersion").GetString()));
        Assert.Matches("^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", root.GetProperty("serialNumber").GetString());
        Assert.Equal(env.Time.GetUtcNow().UtcDateTime, root.GetProperty("metadata").GetProperty("timestamp").GetDateTime().ToUniversalTime());
        Assert.Equal(ModelRegistrar.ProductVersion, root.GetProperty("metadata").GetProperty("tools").GetProperty("components")[0].GetProperty("version").GetString());

        var model = root.GetProperty("metadata").GetProperty("component");
        Assert.Equal("machine-learning-model", model.GetProperty("type").GetString());
        Assert.Equal(manifest.RootDigest, model.GetProperty("hashes")[0].GetProperty("content").GetString());
        var card = model.GetProperty("modelCard");
        Assert.Equal("binary-classification", card.GetProperty("modelParameters").GetProperty("task").GetString());
        Assert.Equal("sdca", card.GetProperty("modelParameters").GetProperty("architectureFamily").GetString());
        var metric = Assert.Single(card.GetProperty("quantitativeAnalysis").GetProperty("performanceMetrics").EnumerateArray());
        Assert.Equal(("accuracy", "0.9"), (metric.GetProperty("type").GetString(), metric.GetProperty("value").GetString()));
        Assert.Contains(model.GetProperty("properties").EnumerateArray(), p => p.GetProperty("name").GetString() == "bulwark:parameter:seed" && p.GetProperty("value").GetString() == "1");

        var components = root.GetProperty("components").EnumerateArray().ToList();
        var data = Assert.Single(components, c => c.GetProperty("type").GetString() == "data");
        Assert.Equal(nv.DatasetDigest, data.GetProperty("hashes")[0].GetProperty("content").GetString());
        var libraries = components.Where(c => c.GetProperty("type").GetString() == "library").ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("version").GetString());
        Assert.Equal(manifest.Content.Runtimes!.Where(r => r.Key != "Microsoft.NETCore.App").ToDictionary(r => r.Key, r => (string?)r.Value), libraries);
        Assert.Matches(@"^\d+\.\d+\.\d+", libraries["Microsoft.ML.OnnxRuntime"]);
        Assert.False(model.TryGetProperty("pedigree", out _));
    }

    [Fact]
    public async Task Bom_RowEditedInDatabase_StillReportsSignedFacts()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await using (var scope = env.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<ModelRegistrar>().RegisterAsync(RegistryTestModels.NewVersion("fraud"));
        }

        await env.ExecuteSqlAsync("UPDATE model_versions SET MetricsJson = '{\"accuracy\":1.0}'");
        await using var reader = env.Scope();
        var bom = await reader.ServiceProvider.GetRequiredService<ModelArtifacts>().BomAsync("fraud", 1);

        using var doc = JsonDocument.Parse(bom.Value!);
        var metric = doc.RootElement.GetProperty("metadata").GetProperty("component").GetProperty("modelCard")
            .GetProperty("quantitativeAnalysis").GetProperty("performanceMetrics")[0];
        Assert.Equal(("accuracy", "0.9"), (metric.GetProperty("type").GetString(), metric.GetProperty("value").GetString()));
    }

    [Fact]
    public async Task Signature_IsAnOmsBundleOverTheServerKey()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await using var scope = env.Scope();
        await scope.ServiceProvider.GetRequiredService<ModelRegistrar>().RegisterAsync(RegistryTestModels.NewVersion("fraud"));
        var signer = env.Services.GetRequiredService<ManifestSigner>();

        var signature = await scope.ServiceProvider.GetRequiredService<ModelArtifacts>().SignatureAsync("fraud", 1, "alice", null);

        Assert.True(OmsBundle.TryParse(Encoding.UTF8.GetBytes(signature.Value!), out var bundle, out var error), error);
        Assert.Equal(OmsBundle.HintOf(await signer.GetPublicKeyAsync()), bundle.PublicKeyHint);
        Assert.Equal(await signer.GetKeyIdAsync(), bundle.Envelope.Signatures[0].KeyId);
        Assert.Equal("model.export-signature", Assert.Single(await env.AuditAsync(AuditCodes.ModelExported)).Action);
    }
}

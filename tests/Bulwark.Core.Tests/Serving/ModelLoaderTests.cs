using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Datasets;
using Bulwark.Core.Registry;
using Bulwark.Core.Serving;
using Bulwark.Core.Storage;
using Bulwark.Core.Tests.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Serving;

public sealed class ModelLoaderTests
{
    private static async Task<ModelVersion> RegisterAsync(CoreTestEnvironment env, NewModelVersion? nv = null)
    {
        await using var scope = env.Scope();
        var result = await scope.ServiceProvider.GetRequiredService<ModelRegistrar>().RegisterAsync(nv ?? RegistryTestModels.NewVersion("fraud"));
        Assert.True(result.Succeeded, result.Failure?.Detail);
        return result.Value;
    }

    private static async Task<ModelVersion> ReadRowAsync(CoreTestEnvironment env, Guid id)
    {
        await using var scope = env.Scope();
        return await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().ModelVersions.AsNoTracking().SingleAsync(v => v.Id == id);
    }

    // The envelope column is sealed at rest; these open and re-seal it as an attacker holding the master key could, so
    // the signature checks below the sealing layer are still exercised.
    private static string OpenEnvelope(CoreTestEnvironment env, ModelVersion row) =>
        SealedColumn.Open(env.Services.GetRequiredService<EnvelopeEncryption>(), row.ManifestEnvelope, row.Id, SealedColumn.ManifestPurpose);

    private static string SealEnvelope(CoreTestEnvironment env, string envelope, Guid id) =>
        SealedColumn.Seal(env.Services.GetRequiredService<EnvelopeEncryption>(), envelope, id, SealedColumn.ManifestPurpose);

    private static async Task AssertRefusedAsync(CoreTestEnvironment env, Guid id, string code)
    {
        var row = await ReadRowAsync(env, id);
        var result = await env.Services.GetRequiredService<ModelLoader>().LoadAsync(row);

        Assert.False(result.Succeeded);
        Assert.Equal(code, result.Failure.Code);
        Assert.Equal(503, result.Failure.Status);
        Assert.Contains("integrity", result.Failure.Detail, StringComparison.Ordinal);
        var audit = Assert.Single(await env.AuditAsync(AuditCodes.ModelIntegrityFailure));
        Assert.Equal($"model/{row.ModelName}/{row.Version}", audit.Resource);
        Assert.Contains(code, audit.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_UntouchedVersion_LoadsAndPredicts()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var version = await RegisterAsync(env);

        var result = await env.Services.GetRequiredService<ModelLoader>().LoadAsync(await ReadRowAsync(env, version.Id));

        Assert.True(result.Succeeded, result.Failure?.Detail);
        var output = new float[2];
        result.Value.Runtime.Predict([9, 9, 1, 1, 1, 1, 0, 0], 2, output);
        Assert.True(output[0] > 0.5 && output[1] < 0.5, $"{output[0]} {output[1]}");
        Assert.Empty(await env.AuditAsync(AuditCodes.ModelIntegrityFailure));
        result.Value.Release();
    }

    [Fact]
    public async Task LoadAsync_FlippedByteInStoredArtifact_RefusedAndAudited()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var version = await RegisterAsync(env);
        var path = env.Services.GetRequiredService<ArtifactStore>().FullPath(ModelRegistrar.ArtifactPurpose, ModelRegistrar.ObjectId(version.Id, "model.zip"));
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);

        await AssertRefusedAsync(env, version.Id, RegistryErrors.DigestMismatch);
    }

    [Fact]
    public async Task LoadAsync_ArtifactReplacedWithValidlyEncryptedOtherModel_RefusedAndAudited()
    {
        // An attacker holding the master key re-encrypts a different model under the right object id: decryption
        // succeeds, only the signed digest catches it.
        await using var env = await CoreTestEnvironment.CreateAsync();
        var version = await RegisterAsync(env);
        await env.Services.GetRequiredService<ArtifactStore>().PutAsync(ModelRegistrar.ArtifactPurpose,
            ModelRegistrar.ObjectId(version.Id, "model.zip"), RegistryTestModels.MixedZip);

        await AssertRefusedAsync(env, version.Id, RegistryErrors.DigestMismatch);
    }

    [Fact]
    public async Task LoadAsync_FlippedByteInManifestEnvelopeRow_RefusedAndAudited()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var version = await RegisterAsync(env);
        var envelope = JsonNode.Parse(OpenEnvelope(env, version))!;
        var payload = Convert.FromBase64String(envelope["payload"]!.GetValue<string>());
        payload[payload.Length / 2] ^= 0x01;
        envelope["payload"] = Convert.ToBase64String(payload);
        var tampered = envelope.ToJsonString();
        var digest = ModelManifest.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(tampered));

        // Straight to the SQLite file, re-sealed and digest column updated too, as an attacker with database access and
        // the master key would: only the signature is left to catch it.
        Assert.Equal(1, await env.ExecuteSqlAsync(
            $"UPDATE model_versions SET ManifestEnvelope = '{SealEnvelope(env, tampered, version.Id)}', ManifestDigest = '{digest}' WHERE Version = 1"));

        await AssertRefusedAsync(env, version.Id, RegistryErrors.SignatureInvalid);
    }

    [Fact]
    public async Task LoadAsync_EnvelopeSignedByAnotherKey_RefusedAndAudited()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var version = await RegisterAsync(env);
        var statement = Convert.FromBase64String(JsonNode.Parse(OpenEnvelope(env, version))!["payload"]!.GetValue<string>());
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = Dsse.Serialize(Dsse.InTotoPayloadType, statement, ManifestSigner.KeyIdOf(attacker.ExportSubjectPublicKeyInfo()),
            attacker.SignData(Dsse.Pae(Dsse.InTotoPayloadType, statement), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        var digest = ModelManifest.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(forged));
        await env.ExecuteSqlAsync($"UPDATE model_versions SET ManifestEnvelope = '{SealEnvelope(env, forged, version.Id)}', ManifestDigest = '{digest}' WHERE Version = 1");

        await AssertRefusedAsync(env, version.Id, RegistryErrors.SignatureInvalid);
    }

    [Fact]
    public async Task LoadAsync_ManifestOfAnotherVersionCopiedIntoRow_RefusedAndAudited()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var first = await RegisterAsync(env);
        var second = await RegisterAsync(env);
        await env.ExecuteSqlAsync($"UPDATE model_versions SET ManifestEnvelope = '{second.ManifestEnvelope}', ManifestDigest = '{second.ManifestDigest}' WHERE Version = 1");

        await AssertRefusedAsync(env, first.Id, RegistryErrors.SignatureInvalid);
    }

    [Fact]
    public async Task LoadAsync_SealedManifestsSwappedBetweenVersions_BothRefusedAndAudited()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var first = await RegisterAsync(env);
        var second = await RegisterAsync(env);

        // Column swap only (no key): each sealed value is bound to its own row id, so neither decrypts on the other row.
        await env.ExecuteSqlAsync($"UPDATE model_versions SET ManifestEnvelope = '{second.ManifestEnvelope}' WHERE Version = 1");
        await env.ExecuteSqlAsync($"UPDATE model_versions SET ManifestEnvelope = '{first.ManifestEnvelope}' WHERE Version = 2");

        foreach (var version in new[] { first, second })
        {
            var result = await env.Services.GetRequiredService<ModelLoader>().LoadAsync(await ReadRowAsync(env, version.Id));
            Assert.False(result.Succeeded);
            Assert.Equal(RegistryErrors.SignatureInvalid, result.Failure.Code);
            Assert.Equal(503, result.Failure.Status);
        }

        Assert.Equal(2, (await env.AuditAsync(AuditCodes.ModelIntegrityFailure)).Count);
    }

    [Fact]
    public async Task LoadAsync_PlaintextManifestWrittenIntoColumn_RefusedAndAudited()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var version = await RegisterAsync(env);

        // A genuine, validly signed envelope written in clear: sealing is required, so it is refused all the same.
        await env.ExecuteSqlAsync($"UPDATE model_versions SET ManifestEnvelope = '{OpenEnvelope(env, version)}' WHERE Version = 1");

        await AssertRefusedAsync(env, version.Id, RegistryErrors.SignatureInvalid);
    }

    [Fact]
    public async Task LoadAsync_ExtraFileInVersionFolder_RefusedAndAudited()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var version = await RegisterAsync(env);
        await env.Services.GetRequiredService<ArtifactStore>().PutAsync(ModelRegistrar.ArtifactPurpose, ModelRegistrar.ObjectId(version.Id, "payload.py"), "import os"u8.ToArray());

        await AssertRefusedAsync(env, version.Id, RegistryErrors.DigestMismatch);
    }

    [Fact]
    public async Task LoadAsync_MissingArtifact_RefusedAndAudited()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var version = await RegisterAsync(env);
        env.Services.GetRequiredService<ArtifactStore>().Delete(ModelRegistrar.ArtifactPurpose, ModelRegistrar.ObjectId(version.Id, "model.zip"));

        await AssertRefusedAsync(env, version.Id, RegistryErrors.DigestMismatch);
    }

    [Fact]
    public async Task LoadAsync_FeatureSchemaRowTampered_UsesSignedSchema()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var version = await RegisterAsync(env);
        await env.ExecuteSqlAsync("UPDATE model_versions SET FeatureSchemaJson = '{\"features\":[],\"output\":{\"task\":\"binary\"}}' WHERE Version = 1");

        var result = await env.Services.GetRequiredService<ModelLoader>().LoadAsync(await ReadRowAsync(env, version.Id));

        Assert.True(result.Succeeded);
        Assert.Equal(4, result.Value.Schema.Features.Count);
        result.Value.Release();
    }
}

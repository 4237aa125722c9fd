using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Datasets;
using Bulwark.Core.Registry;
using Bulwark.Core.Storage;
using Bulwark.Core.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Registry;

/// <summary>
/// ONNX imports signed outside Bulwark (OpenSSF model signing, as the model-signing tool writes it), over real HTTPS:
/// accepted only from an allow-listed key and only over exactly the uploaded bytes; the signer is then part of the
/// version's signed manifest, version info and AI BOM.
/// </summary>
public sealed class SignedImportTests : IAsyncLifetime
{
    private static readonly Lazy<(byte[] Onnx, string Schema)> Model = new(TrainOnnx);
    private readonly ECDsa _trusted = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(new Dictionary<string, string?>
    {
        ["Bulwark:Registry:TrustedSigners:0"] = Pem(_trusted),
    });

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _trusted.Dispose();
        _stranger.Dispose();
    }

    private static string Pem(ECDsa key) => PemEncoding.WriteString("PUBLIC KEY", key.ExportSubjectPublicKeyInfo());

    /// <summary>An OMS v1.0 bundle over one file, signed the way the reference tool signs (DER ECDSA over the DSSE PAE).</summary>
    internal static byte[] Sign(ECDsa key, byte[] file, string resourceName = ".")
    {
        var digest = ModelManifest.Sha256Hex(file);
        var statement = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["_type"] = "https://in-toto.io/Statement/v1",
            ["subject"] = new JsonArray(new JsonObject
            {
                ["name"] = "fraud-model",
                ["digest"] = new JsonObject { ["sha256"] = ModelManifest.OmsRootDigest([new ManifestResource(resourceName, digest)]) },
            }),
            ["predicateType"] = "https://model_signing/signature/v1.0",
            ["predicate"] = new JsonObject
            {
                ["resources"] = new JsonArray(new JsonObject
                {
                    ["algorithm"] = "sha256",
                    ["name"] = resourceName,
                    ["digest"] = digest,
                }),
                ["serialization"] = new JsonObject
                {
                    ["allow_symlinks"] = false,
                    ["method"] = "files",
                    ["hash_type"] = "sha256",
                    ["ignore_paths"] = new JsonArray("model.sig"),
                },
            },
        }.ToJsonString());
        var sig = key.SignData(Dsse.Pae(Dsse.InTotoPayloadType, statement), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return Encoding.UTF8.GetBytes(OmsBundle.Serialize(new DsseEnvelope(Dsse.InTotoPayloadType, statement, [("", sig)]), key.ExportSubjectPublicKeyInfo()));
    }

    internal static MultipartFormDataContent Form(byte[] onnx, byte[]? signature)
    {
        var file = new ByteArrayContent(onnx);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var form = new MultipartFormDataContent
        {
            { file, "model", "model.onnx" },
            { new StringContent(Model.Value.Schema, Encoding.UTF8, "application/json"), "schema" },
        };
        if (signature is not null)
        {
            var part = new ByteArrayContent(signature);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            form.Add(part, "signature", "model.sig");
        }

        return form;
    }

    internal static byte[] Onnx => Model.Value.Onnx;

    private async Task<List<AuditEvent>> AuditAsync(int code)
    {
        await using var scope = _server.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().AuditEvents.IgnoreQueryFilters().AsNoTracking()
            .Where(e => e.Code == code).OrderBy(e => e.Sequence).ToListAsync();
    }

    [Fact]
    public async Task Import_SignedByTrustedKey_AcceptedAndSignerRecordedInManifestInfoAndBom()
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        var keyId = EcdsaP256.KeyIdOf(_trusted.ExportSubjectPublicKeyInfo());

        var response = await admin.PostAsync("/api/v1/models/signed/versions", Form(Onnx, Sign(_trusted, Onnx)));

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var info = (await response.Content.ReadFromJsonAsync<ModelVersionInfo>())!;
        Assert.Equal(keyId, info.ExternalSigner);
        var listed = (await admin.GetFromJsonAsync<ModelVersionInfo[]>("/api/v1/models/signed/versions"))!;
        Assert.Equal(keyId, Assert.Single(listed).ExternalSigner);

        var bom = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/models/signed/versions/{info.Version}/bom")).RootElement;
        var model = bom.GetProperty("metadata").GetProperty("component");
        Assert.Contains(model.GetProperty("properties").EnumerateArray(),
            p => p.GetProperty("name").GetString() == "bulwark:externalSigner:keyId" && p.GetProperty("value").GetString() == keyId);
        var ancestor = model.GetProperty("pedigree").GetProperty("ancestors")[0];
        Assert.Equal(ModelManifest.Sha256Hex(Onnx), ancestor.GetProperty("hashes")[0].GetProperty("content").GetString());

        // The external bundle is kept as a signed file of the version: an export carries it for anyone to re-check.
        using var zip = new ZipArchive(await admin.GetStreamAsync($"/api/v1/models/signed/versions/{info.Version}/export"));
        Assert.Equal(["external.sig", "model.onnx", "model.sig"], zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        var imported = Assert.Single(await AuditAsync(AuditCodes.ModelImported));
        Assert.Contains(keyId, imported.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_SignedByUntrustedKey_Refused422AndAudited()
    {
        using var admin = _server.CreateClient(_server.AdminKey);

        var response = await admin.PostAsync("/api/v1/models/stranger/versions", Form(Onnx, Sign(_stranger, Onnx)));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnprocessableEntity, ErrorCodes.SignerUntrusted);
        var rejected = Assert.Single(await AuditAsync(AuditCodes.ModelImportRejected), e => e.Resource == "model/stranger");
        Assert.Contains(ErrorCodes.SignerUntrusted, rejected.Details, StringComparison.Ordinal);
        Assert.Contains(OmsBundle.HintOf(_stranger.ExportSubjectPublicKeyInfo()), rejected.Details, StringComparison.Ordinal);
        Assert.DoesNotContain((await admin.GetFromJsonAsync<ModelVersionInfo[]>("/api/v1/models"))!, v => v.Model == "stranger");
    }

    [Fact]
    public async Task Import_StrangerSignatureClaimingTrustedKey_Refused422()
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        var tree = JsonNode.Parse(Sign(_stranger, Onnx))!;
        tree["verificationMaterial"]!["publicKey"]!["hint"] = OmsBundle.HintOf(_trusted.ExportSubjectPublicKeyInfo());

        var response = await admin.PostAsync("/api/v1/models/forged/versions", Form(Onnx, Encoding.UTF8.GetBytes(tree.ToJsonString())));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnprocessableEntity, ErrorCodes.SignerUntrusted);
    }

    [Fact]
    public async Task Import_ModelTamperedAfterTrustedSigning_Refused422DigestMismatch()
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        var signature = Sign(_trusted, Onnx);
        var tampered = (byte[])Onnx.Clone();
        tampered[^3] ^= 0x01;

        var response = await admin.PostAsync("/api/v1/models/tampered/versions", Form(tampered, signature));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnprocessableEntity, ErrorCodes.DigestMismatch);
        Assert.Single(await AuditAsync(AuditCodes.ModelImportRejected), e => e.Resource == "model/tampered" && e.Details.Contains(ErrorCodes.DigestMismatch, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"verif")]
    [InlineData("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.2+json\",\"verificationMaterial\":{},\"dsseEnvelope\":{}}")]
    [InlineData("")]
    public async Task Import_MalformedSignature_Refused400BundleInvalid(string signature)
    {
        using var admin = _server.CreateClient(_server.AdminKey);

        var response = await admin.PostAsync("/api/v1/models/malformed/versions", Form(Onnx, Encoding.UTF8.GetBytes(signature)));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, ErrorCodes.BundleInvalid);
    }

    [Fact]
    public async Task Import_Unsigned_StillAcceptedWhenNotRequired()
    {
        using var admin = _server.CreateClient(_server.AdminKey);

        var response = await admin.PostAsync("/api/v1/models/unsigned/versions", Form(Onnx, null));

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        Assert.Null((await response.Content.ReadFromJsonAsync<ModelVersionInfo>())!.ExternalSigner);
    }

    [Fact]
    public async Task Import_RequireExternalSignature_RefusesUnsignedAcceptsTrusted()
    {
        await using var strict = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Bulwark:Registry:TrustedSigners:0"] = Pem(_trusted),
            ["Bulwark:Registry:RequireExternalSignature"] = "true",
        });
        using var admin = strict.CreateClient(strict.AdminKey);

        var unsigned = await admin.PostAsync("/api/v1/models/strict/versions", Form(Onnx, null));
        var untrusted = await admin.PostAsync("/api/v1/models/strict/versions", Form(Onnx, Sign(_stranger, Onnx)));
        var trusted = await admin.PostAsync("/api/v1/models/strict/versions", Form(Onnx, Sign(_trusted, Onnx, "model.onnx")));

        await ProblemAssert.IsProblemAsync(unsigned, HttpStatusCode.UnprocessableEntity, ErrorCodes.SignatureRequired);
        await ProblemAssert.IsProblemAsync(untrusted, HttpStatusCode.UnprocessableEntity, ErrorCodes.SignerUntrusted);
        Assert.True(trusted.StatusCode == HttpStatusCode.Created, await trusted.Content.ReadAsStringAsync());
        await using var scope = strict.App.Services.CreateAsyncScope();
        var rejections = await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().AuditEvents.IgnoreQueryFilters()
            .Where(e => e.Code == AuditCodes.ModelImportRejected).Select(e => e.Details).ToListAsync();
        Assert.Contains(rejections, d => d.Contains(ErrorCodes.SignatureRequired, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Build_TrustedSignerFileMissingOrNotP256_RefusesToStart()
    {
        var dataDir = TestServer.NewDataDir();
        await TestServer.InitAsync(dataDir, TimeProvider.System);
        try
        {
            var ex = Assert.Throws<SecurityConfigurationException>(() => TestServer.Build(dataDir, TimeProvider.System, new Dictionary<string, string?>
            {
                ["Bulwark:Registry:TrustedSigners:0"] = Path.Combine(dataDir, "no-such-signer.pem"),
            }));
            Assert.Contains("TrustedSigners:0", ex.Message, StringComparison.Ordinal);

            using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
            ex = Assert.Throws<SecurityConfigurationException>(() => TestServer.Build(dataDir, TimeProvider.System, new Dictionary<string, string?>
            {
                ["Bulwark:Registry:TrustedSigners:0"] = Pem(p384),
            }));
            Assert.Contains("P-256", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static (byte[] Onnx, string Schema) TrainOnnx()
    {
        var bytes = File.ReadAllBytes(RepositoryPaths.BreastCancerCsv);
        var parsed = DatasetImporter.Parse(Encoding.UTF8.GetString(bytes), new DatasetsOptions(), "diagnosis", null, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.True(parsed.Succeeded);
        var trained = ModelTrainer.Train(parsed.Value, new TrainingRequest(Guid.Empty, "diagnosis", Runtime: TrainingTasks.Onnx));
        Assert.True(trained.Succeeded, trained.Failure?.Detail);
        var schema = trained.Value.FeatureSchema;
        var contract = new ImportModelSchema("binary", [.. schema.Features.Select(f => new FeatureInfo(f.Name, "numeric"))], schema.Output.Classes,
            schema.Output.OnnxInput, schema.Output.OnnxOutput);
        return (trained.Value.Files[ModelTrainer.ModelOnnx], JsonSerializer.Serialize(contract, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
    }
}

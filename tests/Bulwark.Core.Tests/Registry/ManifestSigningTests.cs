using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bulwark.Core.Crypto;
using Bulwark.Core.Registry;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Registry;

public sealed class ManifestSigningTests
{
    private static readonly Dictionary<string, byte[]> Files = new(StringComparer.Ordinal)
    {
        ["model.zip"] = Encoding.UTF8.GetBytes("not really a model, but bytes"),
        ["extra.txt"] = [1, 2, 3],
    };

    private static ManifestContent Content() => new("fraud", 3, Guid.CreateVersion7(), "mlnet", "binary",
        RegistryTestModels.NumericSchema().ToJson(), null, null, "sdca", new Dictionary<string, string> { ["seed"] = "1" },
        new Dictionary<string, double> { ["auc"] = 0.97 }, "tester", new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero), "0.1.0");

    [Fact]
    public void Pae_DsseSpecExample_MatchesSpec()
    {
        // secure-systems-lab/dsse protocol.md example.
        var pae = Dsse.Pae("http://example.com/HelloWorld", "hello world"u8);
        Assert.Equal("DSSEv1 29 http://example.com/HelloWorld 11 hello world", Encoding.UTF8.GetString(pae));
    }

    [Fact]
    public async Task Verify_SignedByServerKey_RoundTripsStatement()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var signer = env.Services.GetRequiredService<ManifestSigner>();
        var content = Content();
        var envelope = await signer.SignAsync(ModelManifest.BuildStatement(content, Files));

        var result = (await signer.GetVerifierAsync()).Verify(envelope, Files);

        Assert.True(result.Valid, result.Detail);
        Assert.Equal(content.VersionId, result.Manifest!.Content.VersionId);
        Assert.Equal("fraud", result.Manifest.SubjectName);
        Assert.Equal(ModelManifest.RootDigest(result.Manifest.Resources), result.Manifest.RootDigest);
        Assert.Equal(2, result.Manifest.Resources.Count);
        using var doc = JsonDocument.Parse(envelope);
        Assert.Equal(Dsse.InTotoPayloadType, doc.RootElement.GetProperty("payloadType").GetString());
        Assert.Equal(await signer.GetKeyIdAsync(), doc.RootElement.GetProperty("signatures")[0].GetProperty("keyid").GetString());
        var statement = JsonNode.Parse(Convert.FromBase64String(doc.RootElement.GetProperty("payload").GetString()!))!;
        Assert.Equal("https://in-toto.io/Statement/v1", statement["_type"]!.GetValue<string>());
        Assert.Equal("https://model_signing/signature/v1.0", statement["predicateType"]!.GetValue<string>());
        Assert.Equal("files", statement["predicate"]!["serialization"]!["method"]!.GetValue<string>());
        Assert.Null(statement["predicate"]!["bulwark"]!["metrics"]!["nan"]);
    }

    [Fact]
    public async Task Verify_FlippedPayloadByte_SignatureInvalid()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var signer = env.Services.GetRequiredService<ManifestSigner>();
        var envelope = JsonNode.Parse(await signer.SignAsync(ModelManifest.BuildStatement(Content(), Files)))!;
        var payload = Convert.FromBase64String(envelope["payload"]!.GetValue<string>());
        var at = Encoding.UTF8.GetString(payload).IndexOf("\"version\":3", StringComparison.Ordinal) + 10;
        payload[at] = (byte)'4';
        envelope["payload"] = Convert.ToBase64String(payload);

        var result = (await signer.GetVerifierAsync()).Verify(envelope.ToJsonString(), Files);

        Assert.False(result.Valid);
        Assert.Equal(RegistryErrors.SignatureInvalid, result.Code);
    }

    [Fact]
    public async Task Verify_SignedByAnotherKeyClaimingServerKeyId_SignatureInvalid()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var signer = env.Services.GetRequiredService<ManifestSigner>();
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var statement = ModelManifest.BuildStatement(Content(), Files);
        var sig = attacker.SignData(Dsse.Pae(Dsse.InTotoPayloadType, statement), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var serverId = await signer.GetKeyIdAsync();
        var forged = Dsse.Serialize(Dsse.InTotoPayloadType, statement, serverId, sig);

        var result = (await signer.GetVerifierAsync()).Verify(forged, Files);

        Assert.Equal(RegistryErrors.SignatureInvalid, result.Code);

        // Control: the same envelope under the attacker's own key id verifies against the attacker's key.
        var attackerId = ManifestSigner.KeyIdOf(attacker.ExportSubjectPublicKeyInfo());
        Assert.True(new ManifestVerifier([attacker.ExportSubjectPublicKeyInfo()]).Verify(forged.Replace(serverId, attackerId, StringComparison.Ordinal), Files).Valid);
    }

    [Fact]
    public async Task Verify_WrongPayloadType_SignatureInvalid()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var statement = ModelManifest.BuildStatement(Content(), Files);
        var sig = key.SignData(Dsse.Pae("application/json", statement), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var envelope = Dsse.Serialize("application/json", statement, ManifestSigner.KeyIdOf(key.ExportSubjectPublicKeyInfo()), sig);

        var result = new ManifestVerifier([key.ExportSubjectPublicKeyInfo()]).Verify(envelope, Files);

        Assert.Equal(RegistryErrors.SignatureInvalid, result.Code);
        await Task.CompletedTask;
    }

    [Theory]
    [InlineData("modified")]
    [InlineData("extra")]
    [InlineData("missing")]
    public void Verify_FilesDifferFromManifest_DigestMismatch(string change)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var envelope = Sign(key, ModelManifest.BuildStatement(Content(), Files));
        var files = new Dictionary<string, byte[]>(Files, StringComparer.Ordinal);
        switch (change)
        {
            case "modified":
                files["model.zip"] = [.. Files["model.zip"]];
                files["model.zip"][0] ^= 1;
                break;
            case "extra":
                files["payload.py"] = [0x80];
                break;
            default:
                files.Remove("extra.txt");
                break;
        }

        var result = new ManifestVerifier([key.ExportSubjectPublicKeyInfo()]).Verify(envelope, files);

        Assert.False(result.Valid);
        Assert.Equal(RegistryErrors.DigestMismatch, result.Code);
    }

    [Theory]
    [InlineData("../model.zip")]
    [InlineData("/etc/passwd")]
    [InlineData("sub/model.zip")]
    [InlineData("..")]
    [InlineData("C:\\model.zip")]
    public void Verify_ManifestNamesAPath_DigestMismatch(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [name] = [1, 2, 3] };
        var envelope = Sign(key, ModelManifest.BuildStatement(Content(), files));

        var result = new ManifestVerifier([key.ExportSubjectPublicKeyInfo()]).Verify(envelope, files);

        Assert.Equal(RegistryErrors.DigestMismatch, result.Code);
    }

    [Fact]
    public void Verify_SubjectDigestNotOverResources_DigestMismatch()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var statement = JsonNode.Parse(ModelManifest.BuildStatement(Content(), Files))!;
        statement["subject"]![0]!["digest"]!["sha256"] = new string('0', 64);
        var envelope = Sign(key, Encoding.UTF8.GetBytes(statement.ToJsonString()));

        var result = new ManifestVerifier([key.ExportSubjectPublicKeyInfo()]).Verify(envelope, Files);

        Assert.Equal(RegistryErrors.DigestMismatch, result.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"!!\",\"signatures\":[]}")]
    public void Verify_MalformedEnvelope_SignatureInvalid(string envelope)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var result = new ManifestVerifier([key.ExportSubjectPublicKeyInfo()]).Verify(envelope, Files);
        Assert.Equal(RegistryErrors.SignatureInvalid, result.Code);
    }

    [Fact]
    public void RootDigest_SwappedFileContents_Changes()
    {
        var a = new ManifestResource("a.bin", new string('1', 64));
        var b = new ManifestResource("b.bin", new string('2', 64));
        var swapped = new[] { a with { Sha256 = b.Sha256 }, b with { Sha256 = a.Sha256 } };
        Assert.NotEqual(ModelManifest.RootDigest([a, b]), ModelManifest.RootDigest(swapped));
        Assert.Equal(ModelManifest.RootDigest([a, b]), ModelManifest.RootDigest([b, a]));
    }

    [Fact]
    public async Task Signer_Restarted_ReusesEncryptedKey()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var store = env.Services.GetRequiredService<ArtifactStore>();
        var contexts = env.Services.GetRequiredService<IDbContextFactory<BulwarkDbContext>>();
        using var first = new ManifestSigner(store, contexts);
        using var second = new ManifestSigner(store, contexts);

        Assert.Equal(await first.GetKeyIdAsync(), await second.GetKeyIdAsync());
        var onDisk = await File.ReadAllBytesAsync(store.FullPath(ManifestSigner.KeyPurpose, ManifestSigner.KeyObjectId));
        Assert.True(onDisk.AsSpan().StartsWith("BWE1"u8));
        Assert.Contains("BEGIN PUBLIC KEY", await first.GetPublicKeyPemAsync(), StringComparison.Ordinal);
        var offline = ManifestVerifier.FromPem(await first.GetPublicKeyPemAsync());
        Assert.True(offline.Verify(await second.SignAsync(ModelManifest.BuildStatement(Content(), Files)), Files).Valid);
    }

    [Fact]
    public async Task Signer_TamperedKeyFile_RefusesInsteadOfMintingNewKey()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var store = env.Services.GetRequiredService<ArtifactStore>();
        var contexts = env.Services.GetRequiredService<IDbContextFactory<BulwarkDbContext>>();
        using (var first = new ManifestSigner(store, contexts))
        {
            await first.InitializeAsync();
        }

        var path = store.FullPath(ManifestSigner.KeyPurpose, ManifestSigner.KeyObjectId);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^1] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);

        using var second = new ManifestSigner(store, contexts);
        await Assert.ThrowsAnyAsync<CryptographicException>(() => second.InitializeAsync());
    }

    [Fact]
    public async Task Signer_KeyFileDeletedWhileVersionsExist_RefusesInsteadOfMintingNewKey()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var store = env.Services.GetRequiredService<ArtifactStore>();
        var contexts = env.Services.GetRequiredService<IDbContextFactory<BulwarkDbContext>>();
        await using (var scope = env.Scope())
        {
            var registered = await scope.ServiceProvider.GetRequiredService<ModelRegistrar>().RegisterAsync(RegistryTestModels.NewVersion("fraud"));
            Assert.True(registered.Succeeded, registered.Failure?.Detail);
        }

        var path = store.FullPath(ManifestSigner.KeyPurpose, ManifestSigner.KeyObjectId);
        File.Delete(path);

        using var restarted = new ManifestSigner(store, contexts);
        var error = await Assert.ThrowsAsync<SecurityConfigurationException>(() => restarted.InitializeAsync());
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("1 model versions", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Signer_NoKeyAndEmptyRegistry_GeneratesKey()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var store = env.Services.GetRequiredService<ArtifactStore>();
        using var signer = new ManifestSigner(store, env.Services.GetRequiredService<IDbContextFactory<BulwarkDbContext>>());

        await signer.InitializeAsync();

        Assert.True(File.Exists(store.FullPath(ManifestSigner.KeyPurpose, ManifestSigner.KeyObjectId)));
    }

    private static string Sign(ECDsa key, byte[] statement) =>
        Dsse.Serialize(Dsse.InTotoPayloadType, statement, ManifestSigner.KeyIdOf(key.ExportSubjectPublicKeyInfo()),
            key.SignData(Dsse.Pae(Dsse.InTotoPayloadType, statement), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
}

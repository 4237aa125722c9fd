using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Bulwark.Core.Registry;

namespace Bulwark.Core.Tests.Registry;

/// <summary>Offline verification of a model folder: every way a folder, a bundle or a key can be wrong must fail.</summary>
public sealed class ModelDirectoryVerifierTests : IDisposable
{
    private static readonly (string Name, byte[] Bytes)[] Files =
    [
        ("model.onnx", Encoding.UTF8.GetBytes("pretend ONNX bytes")),
        ("config/labels.json", Encoding.UTF8.GetBytes("[\"no\",\"yes\"]")),
    ];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "bulwark-oms-" + Guid.NewGuid().ToString("N"));
    private readonly ECDsa _key = OmsTestSigner.NewKey();

    public ModelDirectoryVerifierTests()
    {
        Directory.CreateDirectory(Dir);
        foreach (var (name, bytes) in Files)
        {
            Write(name, bytes);
        }

        File.WriteAllBytes(Bundle, OmsTestSigner.Bundle(_key, OmsTestSigner.Statement(Files)));
    }

    private string Dir => Path.Combine(_root, "model");

    private string Bundle => Path.Combine(Dir, "model.sig");

    public void Dispose()
    {
        _key.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private DirectoryVerification Verify(string? pem = null, byte[]? bundle = null) =>
        ModelDirectoryVerifier.Verify(Dir, bundle ?? File.ReadAllBytes(Bundle), pem ?? OmsTestSigner.Pem(_key), Bundle);

    private void Write(string name, byte[] bytes)
    {
        var path = Path.Combine(Dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public void Verify_UntouchedFolder_Valid()
    {
        var result = Verify();

        Assert.True(result.Valid, result.Detail);
        Assert.Equal(2, result.Statement!.Resources.Count);
        Assert.Contains("2 files verified", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_OneFlippedBit_DigestMismatch()
    {
        var bytes = File.ReadAllBytes(Path.Combine(Dir, "model.onnx"));
        bytes[3] ^= 0x01;
        File.WriteAllBytes(Path.Combine(Dir, "model.onnx"), bytes);

        var result = Verify();

        Assert.False(result.Valid);
        Assert.Equal(RegistryErrors.DigestMismatch, result.Code);
        Assert.Contains("model.onnx", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_MissingFile_DigestMismatch()
    {
        File.Delete(Path.Combine(Dir, "config", "labels.json"));

        var result = Verify();

        Assert.Equal(RegistryErrors.DigestMismatch, result.Code);
        Assert.Contains("missing", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("payload.py")]
    [InlineData("config/extra.bin")]
    [InlineData(".hidden")]
    [InlineData("model.sig.bak")]
    public void Verify_ExtraFile_DigestMismatch(string name)
    {
        Write(name, [0x80, 0x04]);

        var result = Verify();

        Assert.Equal(RegistryErrors.DigestMismatch, result.Code);
        Assert.Contains("not covered", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_BundleKeptOutsideFolder_FolderStillExact()
    {
        var outside = Path.Combine(_root, "model.sig");
        File.Move(Bundle, outside);

        var result = ModelDirectoryVerifier.Verify(Dir, File.ReadAllBytes(outside), OmsTestSigner.Pem(_key), outside);

        Assert.True(result.Valid, result.Detail);
    }

    [Fact]
    public void Verify_AnotherPartysKey_SignerUntrusted()
    {
        using var other = OmsTestSigner.NewKey();

        var result = Verify(OmsTestSigner.Pem(other));

        Assert.Equal(RegistryErrors.SignerUntrusted, result.Code);
    }

    [Fact]
    public void Verify_AttackerSignsClaimingTrustedKeyHint_SignatureInvalid()
    {
        using var attacker = OmsTestSigner.NewKey();
        var forged = OmsTestSigner.Bundle(attacker, OmsTestSigner.Statement(Files), hintKey: _key);

        var result = Verify(bundle: forged);

        Assert.Equal(RegistryErrors.SignatureInvalid, result.Code);
    }

    [Fact]
    public void Verify_StatementEditedAfterSigning_SignatureInvalid()
    {
        // Re-point the signed statement at the attacker's file: the envelope keeps the genuine signature.
        var tree = OmsTestSigner.Tree(File.ReadAllBytes(Bundle));
        var evil = OmsTestSigner.Statement([("model.onnx", Encoding.UTF8.GetBytes("backdoored")), Files[1]]);
        tree["dsseEnvelope"]!["payload"] = Convert.ToBase64String(evil);
        Write("model.onnx", Encoding.UTF8.GetBytes("backdoored"));

        var result = Verify(bundle: OmsTestSigner.Bytes(tree));

        Assert.Equal(RegistryErrors.SignatureInvalid, result.Code);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(10)]
    public void Verify_TruncatedBundle_BundleInvalid(int divisor)
    {
        var bytes = File.ReadAllBytes(Bundle);

        var result = Verify(bundle: bytes[..(bytes.Length * (divisor - 1) / divisor)]);

        Assert.Equal(RegistryErrors.BundleInvalid, result.Code);
    }

    [Fact]
    public void Verify_UnknownMediaType_BundleInvalid()
    {
        var tree = OmsTestSigner.Tree(File.ReadAllBytes(Bundle));
        tree["mediaType"] = "application/vnd.dev.sigstore.bundle.v0.4+json";

        var result = Verify(bundle: OmsTestSigner.Bytes(tree));

        Assert.Equal(RegistryErrors.BundleInvalid, result.Code);
        Assert.Contains("media type", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../outside.bin")]
    [InlineData("/etc/passwd")]
    [InlineData("config\\labels.json")]
    [InlineData("config/../../outside.bin")]
    [InlineData("./model.onnx")]
    [InlineData("config//labels.json")]
    [InlineData("C:model.onnx")]
    [InlineData(".")]
    [InlineData("nul\u0000byte")]
    public void Verify_SignedNameEscapesFolder_PathUnsafe(string name)
    {
        // Correctly signed by the trusted key: the name itself is the attack (zip-slip against the verifier's machine).
        File.WriteAllBytes(Path.Combine(_root, "outside.bin"), [1, 2, 3]);
        var signed = OmsTestSigner.Bundle(_key, OmsTestSigner.Statement([(name, [1, 2, 3]), Files[0]]));

        var result = Verify(bundle: signed);

        Assert.Equal(RegistryErrors.PathUnsafe, result.Code);
    }

    [Fact]
    public void Verify_FileReplacedBySymlinkToIdenticalCopy_PathUnsafe()
    {
        var copy = Path.Combine(_root, "elsewhere.onnx");
        File.WriteAllBytes(copy, Files[0].Bytes);
        File.Delete(Path.Combine(Dir, "model.onnx"));
        File.CreateSymbolicLink(Path.Combine(Dir, "model.onnx"), copy);

        var result = Verify();

        Assert.Equal(RegistryErrors.PathUnsafe, result.Code);
        Assert.Contains("symbolic link", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_SymlinkedSubfolder_PathUnsafe()
    {
        var real = Path.Combine(_root, "real-config");
        Directory.Move(Path.Combine(Dir, "config"), real);
        Directory.CreateSymbolicLink(Path.Combine(Dir, "config"), real);

        var result = Verify();

        Assert.Equal(RegistryErrors.PathUnsafe, result.Code);
    }

    [Fact]
    public void Verify_StatementAllowsSymlinks_BundleInvalid()
    {
        var result = Verify(bundle: OmsTestSigner.Bundle(_key, OmsTestSigner.Statement(Files, allowSymlinks: true)));

        Assert.Equal(RegistryErrors.BundleInvalid, result.Code);
    }

    [Fact]
    public void Verify_ShardSerialization_BundleInvalid()
    {
        var result = Verify(bundle: OmsTestSigner.Bundle(_key, OmsTestSigner.Statement(Files, method: "shards")));

        Assert.Equal(RegistryErrors.BundleInvalid, result.Code);
        Assert.Contains("shards", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_RootDigestNotOverResources_BundleInvalid()
    {
        var resources = Files.Select(f => new ManifestResource(f.Name, ModelManifest.Sha256Hex(f.Bytes))).ToList();

        var result = Verify(bundle: OmsTestSigner.Bundle(_key, OmsTestSigner.Statement(resources, new string('0', 64))));

        Assert.Equal(RegistryErrors.BundleInvalid, result.Code);
    }

    [Fact]
    public void Verify_LegacyBulwarkSignature_P1363AndNamedRootDigest_StillValid()
    {
        // Versions signed before the OMS alignment: r||s signatures and a root digest over names and digests.
        var resources = Files.Select(f => new ManifestResource(f.Name, ModelManifest.Sha256Hex(f.Bytes))).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        var legacy = OmsTestSigner.Bundle(_key, OmsTestSigner.Statement(resources, ModelManifest.LegacyRootDigest(resources)), der: false);

        var result = Verify(bundle: legacy);

        Assert.True(result.Valid, result.Detail);
    }

    [Fact]
    public void Verify_TrustedKeyIsAPrivateKeyPem_RefusedNotUsed()
    {
        var result = Verify(_key.ExportPkcs8PrivateKeyPem());

        Assert.False(result.Valid);
        Assert.Contains("PRIVATE KEY", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_TrustedKeyNotP256_Refused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var rsa = RSA.Create(2048);

        Assert.False(Verify(PemEncodingPublic(p384.ExportSubjectPublicKeyInfo())).Valid);
        Assert.False(Verify(PemEncodingPublic(rsa.ExportSubjectPublicKeyInfo())).Valid);
        Assert.False(Verify("not a pem").Valid);
    }

    [Fact]
    public void Verify_MissingFolder_Fails()
    {
        var result = ModelDirectoryVerifier.Verify(Path.Combine(_root, "nope"), File.ReadAllBytes(Bundle), OmsTestSigner.Pem(_key));

        Assert.False(result.Valid);
    }

    [Fact]
    public void Verify_BulwarkStatement_ReportsModelAndVersion()
    {
        var content = new ManifestContent("fraud", 7, Guid.CreateVersion7(), "onnx", "binary", RegistryTestModels.NumericSchema().ToJson(), null, null, null,
            null, new Dictionary<string, double>(), "tester", new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero), "1.0.0", "abc123");
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal) { ["model.onnx"] = Files[0].Bytes, ["config/labels.json"] = Files[1].Bytes };
        var signed = OmsTestSigner.Bundle(_key, ModelManifest.BuildStatement(content, files));

        var result = Verify(bundle: signed);

        Assert.True(result.Valid, result.Detail);
        Assert.Equal(("fraud", 7, "abc123"), (result.Content!.Model, result.Content.Version, result.Content.ExternalSigner));
        var statement = JsonNode.Parse(Convert.FromBase64String(OmsTestSigner.Tree(signed)["dsseEnvelope"]!["payload"]!.GetValue<string>()))!;
        Assert.Equal("model.sig", statement["predicate"]!["serialization"]!["ignore_paths"]![0]!.GetValue<string>());
    }

    private static string PemEncodingPublic(byte[] spki) => PemEncoding.WriteString("PUBLIC KEY", spki);
}

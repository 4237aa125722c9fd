using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Crypto;
using Bulwark.Core.Registry;

namespace Bulwark.Cli.Tests.Models;

/// <summary>
/// <c>bulwark model verify</c> with no server anywhere: no --url, no data dir, nothing listening. Exit 0 only when the
/// folder is exactly what the trusted key signed; 2 (verification failed) for any difference.
/// </summary>
public sealed class ModelVerifyCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public ModelVerifyCommandTests()
    {
        Directory.CreateDirectory(ModelDir);
        File.WriteAllBytes(Path.Combine(ModelDir, "model.onnx"), Encoding.UTF8.GetBytes("onnx bytes for the offline test"));
        File.WriteAllText(Path.Combine(ModelDir, "README.md"), "a fraud model");
        var files = Directory.GetFiles(ModelDir).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes, StringComparer.Ordinal);
        var content = new ManifestContent("fraud", 3, Guid.CreateVersion7(), "onnx", "binary", "{}", null, null, null, null, new Dictionary<string, double>(),
            "tester", new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero), "1.0.0");
        var statement = ModelManifest.BuildStatement(content, files);
        var sig = _key.SignData(Dsse.Pae(Dsse.InTotoPayloadType, statement), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        File.WriteAllText(Path.Combine(ModelDir, "model.sig"), OmsBundle.Serialize(new DsseEnvelope(Dsse.InTotoPayloadType, statement, [("k", sig)]),
            _key.ExportSubjectPublicKeyInfo()));
        File.WriteAllText(KeyFile, PemEncoding.WriteString("PUBLIC KEY", _key.ExportSubjectPublicKeyInfo()));
    }

    private string ModelDir => _temp.Combine("model");

    private string KeyFile => _temp.Combine("trusted.pem");

    public void Dispose()
    {
        _key.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Verify_UntouchedFolder_ExitsZeroWithoutAnyServer()
    {
        var (exit, stdout, stderr) = await CliRun.ExecuteAsync("model", "verify", ModelDir, "--key", KeyFile);

        Assert.True(exit == 0, stderr);
        Assert.Contains("model verified: fraud version 3, 2 files verified", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ExplicitSignatureOutsideFolder_ExitsZero()
    {
        var outside = _temp.Combine("fraud.sig");
        File.Move(Path.Combine(ModelDir, "model.sig"), outside);

        var (exit, _, stderr) = await CliRun.ExecuteAsync("model", "verify", ModelDir, "--signature", outside, "--key", KeyFile);

        Assert.True(exit == 0, stderr);
    }

    [Fact]
    public async Task Verify_TamperedFile_ExitsTwoWithDigestMismatch()
    {
        File.AppendAllText(Path.Combine(ModelDir, "README.md"), " (edited)");

        var (exit, stdout, stderr) = await CliRun.ExecuteAsync("model", "verify", ModelDir, "--signature", Path.Combine(ModelDir, "model.sig"), "--key", KeyFile);

        Assert.Equal(2, exit);
        Assert.Contains("FAILED", stdout, StringComparison.Ordinal);
        Assert.StartsWith("error: registry.digest-mismatch", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ExtraFileDroppedIn_ExitsTwo()
    {
        File.WriteAllBytes(Path.Combine(ModelDir, "loader.py"), "import os"u8.ToArray());

        var (exit, _, stderr) = await CliRun.ExecuteAsync("model", "verify", ModelDir, "--key", KeyFile);

        Assert.Equal(2, exit);
        Assert.Contains("loader.py", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_SomeoneElsesKey_ExitsTwoSignerUntrusted()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var otherKey = _temp.Combine("other.pem");
        File.WriteAllText(otherKey, PemEncoding.WriteString("PUBLIC KEY", other.ExportSubjectPublicKeyInfo()));

        var (exit, _, stderr) = await CliRun.ExecuteAsync("model", "verify", ModelDir, "--key", otherKey);

        Assert.Equal(2, exit);
        Assert.StartsWith("error: registry.signer-untrusted", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_TruncatedSignature_ExitsTwoBundleInvalid()
    {
        var path = Path.Combine(ModelDir, "model.sig");
        var text = File.ReadAllText(path);
        File.WriteAllText(path, text[..(text.Length / 2)]);

        var (exit, _, stderr) = await CliRun.ExecuteAsync("model", "verify", ModelDir, "--key", KeyFile);

        Assert.Equal(2, exit);
        Assert.StartsWith("error: registry.bundle-invalid", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_MissingKeyOption_IsAUsageError()
    {
        var (exit, _, _) = await CliRun.ExecuteAsync("model", "verify", ModelDir);

        Assert.NotEqual(0, exit);
        Assert.NotEqual(2, exit);
    }

    [Fact]
    public async Task Verify_KeyFileMissing_ExitsOne()
    {
        var (exit, _, stderr) = await CliRun.ExecuteAsync("model", "verify", ModelDir, "--key", _temp.Combine("nope.pem"));

        Assert.Equal(1, exit);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
    }
}

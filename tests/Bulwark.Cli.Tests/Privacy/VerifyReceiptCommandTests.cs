using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Crypto;
using Bulwark.Core.Privacy;

namespace Bulwark.Cli.Tests.Privacy;

/// <summary>
/// <c>bulwark privacy verify-receipt</c> offline, with no server: exit 0 only for a receipt signed by the trusted key;
/// 2 for an altered statement, another signer, or another kind of signed document.
/// </summary>
public sealed class VerifyReceiptCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly byte[] _statement = ErasureReceipt.Statement(Guid.CreateVersion7(), "default", new string('a', 64), "user:dpo",
        new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero), [new ErasedDataset(Guid.NewGuid(), "patients", 3, 566, new string('b', 64))], 2, 1,
        [new RetrainTarget("triage", 1, "production", Guid.NewGuid())]);

    public VerifyReceiptCommandTests()
    {
        Directory.CreateDirectory(_temp.Path);
        File.WriteAllText(KeyFile, PemEncoding.WriteString("PUBLIC KEY", _key.ExportSubjectPublicKeyInfo()));
    }

    private string KeyFile => _temp.Combine("audit.pem");

    public void Dispose()
    {
        _key.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task VerifyReceipt_SignedByTheTrustedKey_Exits0AndSummarises()
    {
        var (exit, stdout, _) = await CliRun.ExecuteAsync("privacy", "verify-receipt", "--file", Write(Sign(_key, _statement)), "--key", KeyFile);
        Assert.Equal(0, exit);
        Assert.Contains("erasure receipt valid", stdout, StringComparison.Ordinal);
        Assert.Contains("3 dataset rows, 2 captured predictions, 1 feedback labels", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyReceipt_Altered_SignedByAnotherKey_OrAnotherPayloadType_Exits2()
    {
        var altered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(_statement).Replace("\"capturedPredictions\":2", "\"capturedPredictions\":0", StringComparison.Ordinal));
        var signed = Sign(_key, _statement);
        var tampered = signed.Replace(Convert.ToBase64String(_statement), Convert.ToBase64String(altered), StringComparison.Ordinal);
        Assert.NotEqual(signed, tampered);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pae = Dsse.Pae("application/vnd.bulwark.audit-checkpoint+json", _statement);
        var wrongType = Dsse.Serialize("application/vnd.bulwark.audit-checkpoint+json", _statement, KeyId(_key), EcdsaP256.Sign(_key, pae));

        foreach (var receipt in new[] { tampered, Sign(other, _statement, KeyId(_key)), wrongType, "{\"payloadType\":1}" })
        {
            var (exit, stdout, stderr) = await CliRun.ExecuteAsync("privacy", "verify-receipt", "--file", Write(receipt), "--key", KeyFile);
            Assert.Equal(2, exit);
            Assert.Contains("INVALID", stdout, StringComparison.Ordinal);
            Assert.Contains("privacy.receipt-invalid", stderr, StringComparison.Ordinal);
        }
    }

    private static string KeyId(ECDsa key) => EcdsaP256.KeyIdOf(key.ExportSubjectPublicKeyInfo());

    private static string Sign(ECDsa key, byte[] statement, string? keyId = null) =>
        Dsse.Serialize(ErasureReceipt.PayloadType, statement, keyId ?? KeyId(key), EcdsaP256.Sign(key, Dsse.Pae(ErasureReceipt.PayloadType, statement)));

    private string Write(string receipt)
    {
        var path = _temp.Combine(Guid.NewGuid().ToString("N") + ".dsse.json");
        File.WriteAllText(path, receipt);
        return path;
    }
}

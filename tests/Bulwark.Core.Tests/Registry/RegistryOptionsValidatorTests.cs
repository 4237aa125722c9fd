using System.Security.Cryptography;
using Bulwark.Core.Registry;

namespace Bulwark.Core.Tests.Registry;

/// <summary>Trusted signer configuration fails startup unless every entry is a readable P-256 public key.</summary>
public sealed class RegistryOptionsValidatorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bulwark-signers-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string[] Errors(RegistryOptions options) => [.. new RegistryOptionsValidator().Validate(null, options).Failures ?? []];

    [Fact]
    public void Validate_InlinePemAndPemFile_Succeed()
    {
        using var a = OmsTestSigner.NewKey();
        using var b = OmsTestSigner.NewKey();
        var file = Path.Combine(_dir, "b.pem");
        File.WriteAllText(file, OmsTestSigner.Pem(b));
        var options = new RegistryOptions { TrustedSigners = [OmsTestSigner.Pem(a), file], RequireExternalSignature = true };

        Assert.Empty(Errors(options));
        Assert.Equal(2, new TrustedSigners(Microsoft.Extensions.Options.Options.Create(options)).All.Count);
    }

    public static TheoryData<string, string> Unusable()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var rsa = RSA.Create(2048);
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new TheoryData<string, string>
        {
            { "/nonexistent/signer.pem", "does not exist" },
            { PemEncoding.WriteString("PUBLIC KEY", p384.ExportSubjectPublicKeyInfo()), "P-256" },
            { PemEncoding.WriteString("PUBLIC KEY", rsa.ExportSubjectPublicKeyInfo()), "P-256" },
            { p256.ExportPkcs8PrivateKeyPem(), "PRIVATE KEY" },
            { OmsTestSigner.Pem(p256) + OmsTestSigner.Pem(p256), "more than one" },
            { "-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----", "PEM" },
        };
    }

    [Theory]
    [MemberData(nameof(Unusable))]
    public void Validate_UnusableEntry_FailsNamingTheEntry(string entry, string reason)
    {
        var errors = Errors(new RegistryOptions { TrustedSigners = [entry] });

        var error = Assert.Single(errors);
        Assert.Contains("Bulwark:Registry:TrustedSigners:0", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnreadableFile_Fails()
    {
        var file = Path.Combine(_dir, "locked.pem");
        File.WriteAllText(file, "x");
        File.SetUnixFileMode(file, UnixFileMode.None);
        if (Environment.UserName == "root")
        {
            // root reads any file: make the entry a directory instead, which cannot be read as a key either.
            file = _dir;
        }

        Assert.Single(Errors(new RegistryOptions { TrustedSigners = [file] }));
    }

    [Fact]
    public void Validate_RequireSignatureWithoutSigners_Fails()
    {
        var error = Assert.Single(Errors(new RegistryOptions { RequireExternalSignature = true }));

        Assert.Contains("RequireExternalSignature", error, StringComparison.Ordinal);
    }
}

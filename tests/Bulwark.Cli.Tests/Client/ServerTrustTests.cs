using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bulwark.Client;

namespace Bulwark.Cli.Tests.Client;

/// <summary>
/// A pin or CA file replaces the system trust store. The platform's verdict is simulated through the
/// <see cref="SslPolicyErrors"/> argument: <c>None</c> is what a publicly-trusted certificate for the host would get.
/// </summary>
public sealed class ServerTrustTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly X509Certificate2 _ca = CreateCa("Bulwark Test CA");
    private readonly X509Certificate2 _otherCa = CreateCa("Some Public CA");

    public void Dispose()
    {
        _ca.Dispose();
        _otherCa.Dispose();
        _dir.Dispose();
    }

    private static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = TimeProvider.System.GetUtcNow();
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
    }

    private static X509Certificate2 CreateLeaf(X509Certificate2 issuer, string host = "localhost")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(host);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = TimeProvider.System.GetUtcNow();
        return request.Create(issuer, now.AddHours(-1), now.AddHours(12), RandomNumberGenerator.GetBytes(8));
    }

    private ServerTrust TrustCaFile(X509Certificate2 ca)
    {
        Directory.CreateDirectory(_dir.Path);
        var path = _dir.Combine(Guid.NewGuid().ToString("N") + ".pem");
        File.WriteAllText(path, ca.ExportCertificatePem());
        return ServerTrust.CaCertificateFile(path);
    }

    [Fact]
    public void Validate_PinMismatchOnSystemTrustedCertificate_IsRejected()
    {
        using var pinned = CreateLeaf(_ca);
        using var publiclyTrusted = CreateLeaf(_otherCa);
        var trust = ServerTrust.Fingerprint(ServerTrust.FormatFingerprint(pinned));
        Assert.False(trust.Validate(publiclyTrusted, null, SslPolicyErrors.None));
    }

    [Theory]
    [InlineData(SslPolicyErrors.None)]
    [InlineData(SslPolicyErrors.RemoteCertificateChainErrors)]
    [InlineData(SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch)]
    public void Validate_PinMatches_IsAcceptedWhateverThePlatformSays(SslPolicyErrors errors)
    {
        using var pinned = CreateLeaf(_ca);
        var trust = ServerTrust.Fingerprint(ServerTrust.FormatFingerprint(pinned));
        Assert.True(trust.Validate(pinned, null, errors));
    }

    [Fact]
    public void Validate_PinAndNoCertificate_IsRejected()
    {
        using var pinned = CreateLeaf(_ca);
        Assert.False(ServerTrust.Fingerprint(ServerTrust.FormatFingerprint(pinned)).Validate(null, null, SslPolicyErrors.None));
    }

    [Fact]
    public void Validate_CaFileAndCertificateFromAnotherSystemTrustedCa_IsRejected()
    {
        using var elsewhere = CreateLeaf(_otherCa);
        Assert.False(TrustCaFile(_ca).Validate(elsewhere, null, SslPolicyErrors.None));
    }

    [Fact]
    public void Validate_CaFileAndCertificateItIssued_IsAccepted()
    {
        using var leaf = CreateLeaf(_ca);
        Assert.True(TrustCaFile(_ca).Validate(leaf, null, SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Fact]
    public void Validate_CaFileAndNameMismatch_IsRejected()
    {
        using var leaf = CreateLeaf(_ca, "other.example");
        Assert.False(TrustCaFile(_ca).Validate(leaf, null, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch));
    }

    [Fact]
    public void Validate_SystemDefaultWithChainErrors_IsRejected()
    {
        using var leaf = CreateLeaf(_ca);
        Assert.False(ServerTrust.SystemDefault.Validate(leaf, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.True(ServerTrust.SystemDefault.Validate(leaf, null, SslPolicyErrors.None));
    }
}

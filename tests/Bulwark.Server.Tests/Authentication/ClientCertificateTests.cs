using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bulwark.Client.Contracts;
using Microsoft.Extensions.Configuration;

namespace Bulwark.Server.Tests.Authentication;

/// <summary>
/// Mutual TLS for service clients: a certificate from the configured CA, valid now, with the clientAuth EKU and mapped
/// to a registered OAuth client authenticates as that client; every other certificate is refused with 401.
/// </summary>
public sealed class ClientCertificateTests : IAsyncLifetime, IDisposable
{
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private readonly string _dir = Directory.CreateTempSubdirectory("bulwark-mtls-").FullName;
    private readonly DateTimeOffset _now = TimeProvider.System.GetUtcNow();
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _otherCaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private X509Certificate2 _ca = null!;
    private X509Certificate2 _otherCa = null!;
    private TestServer _server = null!;
    private string _clientId = "";

    public async Task InitializeAsync()
    {
        _ca = CreateCa("CN=Bulwark Test Client CA", _caKey);
        _otherCa = CreateCa("CN=Some Other CA", _otherCaKey);
        var bundle = Path.Combine(_dir, "client-ca.pem");
        await File.WriteAllTextAsync(bundle, _ca.ExportCertificatePem());
        _server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Bulwark:Tls:ClientCertificates:Enabled"] = "true",
            ["Bulwark:Tls:ClientCertificates:CaBundlePath"] = bundle,
        });

        using var admin = _server.CreateClient(_server.AdminKey);
        var response = await admin.PostAsJsonAsync("/api/v1/clients", new CreateClientRequest("scoring-service", ["datasets:read"], null));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        _clientId = (await response.Content.ReadFromJsonAsync<CreatedClientInfo>())!.Client.ClientId;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose()
    {
        _caKey.Dispose();
        _otherCaKey.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task MappedCertificateByThumbprint_AuthenticatesAsTheClientWithItsScopesOnly()
    {
        using var cert = Issue(_ca, _caKey, "CN=scoring-service", ClientAuth);
        Map("Thumbprint", cert.GetCertHashString(HashAlgorithmName.SHA256));

        using var client = ClientWith(cert);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/datasets")).StatusCode);
        await ProblemAssert.IsProblemAsync(await client.GetAsync("/api/v1/keys"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task MappedCertificateBySubject_Authenticates()
    {
        using var cert = Issue(_ca, _caKey, "CN=scoring-service-by-subject, O=Bulwark Tests", ClientAuth);
        Map("Subject", cert.Subject);

        using var client = ClientWith(cert);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/datasets")).StatusCode);
    }

    [Theory]
    [InlineData("self-signed")]
    [InlineData("other-ca")]
    [InlineData("expired")]
    [InlineData("not-yet-valid")]
    [InlineData("server-auth-eku")]
    [InlineData("no-eku")]
    [InlineData("unmapped")]
    public async Task RefusedCertificate_401WithStableCode(string kind)
    {
        using var selfKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = kind switch
        {
            "self-signed" => SelfSigned(selfKey),
            "other-ca" => Issue(_otherCa, _otherCaKey, "CN=scoring-service", ClientAuth),
            "expired" => Issue(_ca, _caKey, "CN=scoring-service", ClientAuth, _now.AddDays(-30), _now.AddDays(-1)),
            "not-yet-valid" => Issue(_ca, _caKey, "CN=scoring-service", ClientAuth, _now.AddDays(1), _now.AddDays(30)),
            "server-auth-eku" => Issue(_ca, _caKey, "CN=scoring-service", ServerAuth),
            "no-eku" => Issue(_ca, _caKey, "CN=scoring-service", eku: null),
            _ => Issue(_ca, _caKey, "CN=nobody", ClientAuth),
        };
        if (kind != "unmapped")
        {
            // Mapped, so only the failed check can be the reason for the refusal.
            Map("Thumbprint", cert.GetCertHashString(HashAlgorithmName.SHA256));
        }

        using var client = ClientWith(cert);
        await ProblemAssert.IsProblemAsync(await client.GetAsync("/api/v1/datasets"), HttpStatusCode.Unauthorized, ErrorCodes.Unauthenticated);
    }

    [Fact]
    public async Task DisabledClient_CertificateRefused()
    {
        using var cert = Issue(_ca, _caKey, "CN=scoring-service", ClientAuth);
        Map("Thumbprint", cert.GetCertHashString(HashAlgorithmName.SHA256));
        using var admin = _server.CreateClient(_server.AdminKey);
        Assert.True((await admin.DeleteAsync($"/api/v1/clients/{_clientId}")).IsSuccessStatusCode);
        _server.Time.Advance(TimeSpan.FromSeconds(10)); // past the client directory's cache

        using var client = ClientWith(cert);
        await ProblemAssert.IsProblemAsync(await client.GetAsync("/api/v1/datasets"), HttpStatusCode.Unauthorized, ErrorCodes.Unauthenticated);
    }

    [Fact]
    public async Task MutualTlsOff_ClientCertificateIgnored()
    {
        await using var server = await TestServer.StartAsync();
        using var cert = Issue(_ca, _caKey, "CN=scoring-service", ClientAuth);
        using var client = ClientWith(cert, server);
        await ProblemAssert.IsProblemAsync(await client.GetAsync("/api/v1/datasets"), HttpStatusCode.Unauthorized, ErrorCodes.Unauthenticated);
    }

    private void Map(string field, string value)
    {
        var configuration = _server.App.Configuration;
        configuration["Bulwark:Tls:ClientCertificates:Mappings:0:" + field] = value;
        configuration["Bulwark:Tls:ClientCertificates:Mappings:0:ClientId"] = _clientId;
        ((IConfigurationRoot)configuration).Reload();
    }

    private HttpClient ClientWith(X509Certificate2 certificate, TestServer? server = null)
    {
        server ??= _server;
        var fingerprint = server.Init.CertFingerprint;
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, c, _, _) => TestServer.IsCertificate(c, fingerprint),
                ClientCertificates = [certificate],
                LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate,
            },
        };
        return new HttpClient(handler) { BaseAddress = server.BaseUrl };
    }

    private X509Certificate2 CreateCa(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(_now.AddDays(-1), _now.AddYears(1));
    }

    private X509Certificate2 Issue(X509Certificate2 ca, ECDsa caKey, string subject, Oid? eku, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        if (eku is not null)
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([eku], false));
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var signer = X509SignatureGenerator.CreateForECDsa(caKey);
        using var issued = request.Create(ca.SubjectName, signer, notBefore ?? _now.AddDays(-1), notAfter ?? _now.AddDays(30), RandomNumberGenerator.GetBytes(12));
        using var withKey = issued.CopyWithPrivateKey(key);
        // Round-trip through PKCS#12 so the private key outlives this method's ECDsa instance.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private X509Certificate2 SelfSigned(ECDsa key)
    {
        var request = new CertificateRequest("CN=scoring-service", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ClientAuth], false));
        using var cert = request.CreateSelfSigned(_now.AddDays(-1), _now.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }
}

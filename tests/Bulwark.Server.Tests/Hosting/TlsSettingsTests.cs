using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Bulwark.Core.Crypto;
using Bulwark.Server.Hosting;
using Microsoft.Data.Sqlite;

namespace Bulwark.Server.Tests.Hosting;

/// <summary>
/// TLS settings are validated at startup: asking for TLS 1.0/1.1, a CBC or non-ECDHE suite, or a suite list that leaves
/// an enabled protocol nothing to negotiate stops the server with a message; narrowed settings are enforced on the wire.
/// </summary>
public sealed class TlsSettingsTests : IDisposable
{
    private readonly string _dataDir = TestServer.NewDataDir();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Theory]
    [InlineData("Tls11")]
    [InlineData("Tls12;Tls11")]
    [InlineData("Tls10;Tls12;Tls13")]
    [InlineData("TLS1.1")]
    [InlineData("Ssl3")]
    public async Task Build_ObsoleteProtocolRequested_RefusesToStart(string protocols)
    {
        await TestServer.InitAsync(_dataDir, TimeProvider.System);
        var ex = Assert.Throws<SecurityConfigurationException>(() =>
            TestServer.Build(_dataDir, TimeProvider.System, new Dictionary<string, string?> { ["Bulwark:Tls:Protocols"] = protocols }));
        Assert.Contains("Bulwark:Tls:Protocols", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RFC 8996", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256")] // CBC (Lucky13)
    [InlineData("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA")]
    [InlineData("TLS_RSA_WITH_AES_128_GCM_SHA256")] // AEAD but no forward secrecy
    [InlineData("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256")]
    [InlineData("TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA")]
    [InlineData("TLS_ECDHE_ECDSA_WITH_NULL_SHA")]
    public async Task Build_NonAeadOrNonEcdheSuite_RefusesToStart(string suite)
    {
        await TestServer.InitAsync(_dataDir, TimeProvider.System);
        var ex = Assert.Throws<SecurityConfigurationException>(() => TestServer.Build(_dataDir, TimeProvider.System, new Dictionary<string, string?>
        {
            ["Bulwark:Tls:CipherSuites"] = "TLS_AES_256_GCM_SHA384;TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384;" + suite,
        }));
        Assert.Contains(suite, ex.Message, StringComparison.Ordinal);
        Assert.Contains("not allowed", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Tls12;Tls13", "TLS_AES_256_GCM_SHA384", "no TLS 1.2 suite")]
    [InlineData("Tls12;Tls13", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "no TLS 1.3 suite")]
    [InlineData("Tls12", "TLS_ECDHE_RSA_WITH_AES_256_CBC", "unknown suite")]
    [InlineData("", "", "Protocols is empty")]
    [InlineData("Tls14", "", "unknown protocol")]
    public void Validate_InconsistentSettings_Refused(string protocols, string suites, string expected)
    {
        var result = new TlsOptionsValidator().Validate(null, new TlsOptions { Protocols = protocols, CipherSuites = suites });
        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ClientCertificatesWithoutUsableBundleOrMapping_Refused()
    {
        var garbage = Path.Combine(Path.GetTempPath(), "bulwark-not-pem-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(garbage, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        try
        {
            var validator = new TlsOptionsValidator();
            var noBundle = new TlsOptions { ClientCertificates = { Enabled = true } };
            Assert.Contains("CaBundlePath must name a PEM file", validator.Validate(null, noBundle).FailureMessage, StringComparison.Ordinal);

            var badBundle = new TlsOptions { ClientCertificates = { Enabled = true, CaBundlePath = garbage } };
            Assert.Contains("no readable PEM certificate", validator.Validate(null, badBundle).FailureMessage, StringComparison.Ordinal);

            var badMapping = new TlsOptions { ClientCertificates = { Enabled = true, CaBundlePath = garbage, Mappings = [new() { Thumbprint = "abc", ClientId = "c" }, new() { ClientId = "c" }] } };
            var message = validator.Validate(null, badMapping).FailureMessage;
            Assert.Contains("Mappings:0:Thumbprint must be", message, StringComparison.Ordinal);
            Assert.Contains("Mappings:1 needs exactly one", message, StringComparison.Ordinal);

            Assert.True(validator.Validate(null, new TlsOptions { ClientCertificates = { Enabled = false, CaBundlePath = garbage } }).Succeeded);
        }
        finally
        {
            File.Delete(garbage);
        }
    }

    [Fact]
    public void Validate_Defaults_AcceptedAndAeadOnly()
    {
        var options = new TlsOptions();
        Assert.True(new TlsOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, options.EnabledProtocols);
        Assert.All(options.EnabledSuites, s => Assert.True(s.ToString().Contains("GCM", StringComparison.Ordinal) || s.ToString().Contains("CHACHA20_POLY1305", StringComparison.Ordinal)));
        Assert.All(options.EnabledSuites.Where(s => !TlsOptions.IsTls13Suite(s)), s => Assert.StartsWith("TLS_ECDHE_", s.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Handshake_Tls13OnlyConfigured_Tls12ClientRefused()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Bulwark:Tls:Protocols"] = "Tls13" });
        await Assert.ThrowsAnyAsync<Exception>(() => HandshakeAsync(server, SslProtocols.Tls12));
        Assert.Equal(SslProtocols.Tls13, await HandshakeAsync(server, SslProtocols.Tls12 | SslProtocols.Tls13));
    }

    [Fact]
    public async Task Handshake_NarrowedSuites_OtherSuitesRefused()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // CipherSuitesPolicy needs OpenSSL.
        }

        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Bulwark:Tls:CipherSuites"] = "TLS_AES_256_GCM_SHA384;TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        });
        await Assert.ThrowsAnyAsync<Exception>(() => HandshakeAsync(server, SslProtocols.Tls12, [TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]));
        Assert.Equal(SslProtocols.Tls12, await HandshakeAsync(server, SslProtocols.Tls12, [TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]));
    }

    [Fact]
    public async Task Handshake_ClientOffersEverythingTheOsAllows_NegotiatesAtLeastTls12()
    {
        await using var server = await TestServer.StartAsync();
#pragma warning disable SYSLIB0039, CA5397 // TLS 1.0/1.1 are obsolete: offering them is the point of this test.
        var offered = SslProtocols.Tls | SslProtocols.Tls11 | SslProtocols.Tls12 | SslProtocols.Tls13;
#pragma warning restore SYSLIB0039, CA5397
        var negotiated = await HandshakeAsync(server, offered);
        Assert.True(negotiated is SslProtocols.Tls12 or SslProtocols.Tls13, $"negotiated {negotiated}");
    }

    private static async Task<SslProtocols> HandshakeAsync(TestServer server, SslProtocols protocols, TlsCipherSuite[]? suites = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.BaseUrl.Port);
        await using var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = protocols,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => TestServer.IsCertificate(certificate, server.Init.CertFingerprint),
        };
        if (suites is not null)
        {
            options.CipherSuitesPolicy = new CipherSuitesPolicy(suites);
        }

        await ssl.AuthenticateAsClientAsync(options);
        return ssl.SslProtocol;
    }
}

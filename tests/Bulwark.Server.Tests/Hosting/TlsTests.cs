using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Bulwark.Server.Tests.Hosting;

[Collection(ServerCollection.Name)]
public sealed class TlsTests(ServerFixture fixture)
{
    private async Task<SslStream> HandshakeAsync(SslProtocols protocols, CipherSuitesPolicy? suites = null)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, fixture.Server.BaseUrl.Port);
        var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = protocols,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => TestServer.IsCertificate(certificate, fixture.Server.Init.CertFingerprint),
        };
        if (suites is not null && OperatingSystem.IsLinux())
        {
            options.CipherSuitesPolicy = suites;
        }

        await ssl.AuthenticateAsClientAsync(options);
        return ssl;
    }

    [Fact]
    public async Task Handshake_Tls12WithAead_Succeeds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // CipherSuitesPolicy needs OpenSSL.
        }

        await using var ssl = await HandshakeAsync(SslProtocols.Tls12, new CipherSuitesPolicy([TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]));
        Assert.Equal(SslProtocols.Tls12, ssl.SslProtocol);
    }

    [Fact]
    public async Task Handshake_Tls13_Succeeds()
    {
        await using var ssl = await HandshakeAsync(SslProtocols.Tls13);
        Assert.Equal(SslProtocols.Tls13, ssl.SslProtocol);
    }

    [Fact]
    public async Task Handshake_Tls12WithCbcSuite_IsRefused()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // CipherSuitesPolicy needs OpenSSL.
        }

        var cbcOnly = new CipherSuitesPolicy([TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA]);
        await Assert.ThrowsAnyAsync<Exception>(async () => await (await HandshakeAsync(SslProtocols.Tls12, cbcOnly)).DisposeAsync());
    }

    [Fact]
    public async Task Handshake_Tls11_IsRefused()
    {
#pragma warning disable SYSLIB0039, CA5397 // TLS 1.1 is obsolete: offering it is the point of this test.
        await Assert.ThrowsAnyAsync<Exception>(async () => await (await HandshakeAsync(SslProtocols.Tls11)).DisposeAsync());
#pragma warning restore SYSLIB0039, CA5397
    }
}

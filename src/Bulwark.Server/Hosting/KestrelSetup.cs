using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Bulwark.Server.Hosting;

/// <summary>Kestrel: HTTPS only, TLS 1.2/1.3 with AEAD suites only, no banner, tight limits.</summary>
internal static class KestrelSetup
{
    /// <summary>
    /// AEAD-only suites (RFC 8446 §B.4 for TLS 1.3; ECDHE + GCM/ChaCha20-Poly1305 for TLS 1.2, as in Mozilla's
    /// "intermediate" profile). CBC suites are excluded (Lucky13, RFC 7457 §2.5).
    /// </summary>
    private static readonly TlsCipherSuite[] AllowedSuites =
    [
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    /// <param name="maxBodyBytes">The default body cap (the prediction path's); dataset uploads raise it per endpoint.</param>
    public static void Configure(KestrelServerOptions kestrel, ServerOptions options, X509Certificate2 certificate, long maxBodyBytes)
    {
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxRequestBodySize = maxBodyBytes;
        kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        kestrel.Limits.MaxRequestHeaderCount = 64;
        kestrel.Limits.MaxRequestLineSize = 8 * 1024;
        kestrel.Limits.MaxRequestBufferSize = 1024 * 1024;
        kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(15);
        kestrel.Limits.Http2.MaxRequestHeaderFieldSize = 16 * 1024;

        kestrel.Listen(IPAddress.Parse(options.Address), options.Port, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(https =>
            {
                https.ServerCertificate = certificate;
                https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                https.OnAuthenticate = (_, ssl) =>
                {
                    // CipherSuitesPolicy is honoured by OpenSSL (Linux) and macOS; Windows takes suites from SChannel policy.
                    if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
                    {
                        ssl.CipherSuitesPolicy = new CipherSuitesPolicy(AllowedSuites);
                    }
                };
            });
        });
    }
}

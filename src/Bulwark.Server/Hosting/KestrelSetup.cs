using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Bulwark.Server.Hosting;

/// <summary>Kestrel: HTTPS only, TLS 1.2/1.3 with AEAD suites only (<see cref="TlsOptions"/>), no banner, tight limits.</summary>
internal static class KestrelSetup
{
    /// <param name="maxBodyBytes">The default body cap (the prediction path's); dataset uploads raise it per endpoint.</param>
    public static void Configure(KestrelServerOptions kestrel, ServerOptions options, TlsOptions tls, X509Certificate2 certificate, long maxBodyBytes)
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
                https.SslProtocols = tls.EnabledProtocols;
                var suites = tls.EnabledSuites;
                if (tls.ClientCertificates.Enabled)
                {
                    // Asked for, never required; every check (CA bundle, validity, EKU, mapping) is made by
                    // ClientCertificateAuthenticator, so a refused certificate gets a 401 problem, not a dropped connection.
                    https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                    https.ClientCertificateValidation = (_, _, _) => true;
                }

                https.OnAuthenticate = (_, ssl) =>
                {
                    // CipherSuitesPolicy is honoured by OpenSSL (Linux) and macOS; Windows takes suites from SChannel policy.
                    if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
                    {
                        ssl.CipherSuitesPolicy = new CipherSuitesPolicy(suites);
                    }
                };
            });
        });
    }
}

using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bulwark.Core.Crypto;

namespace Bulwark.Server.Hosting;

/// <summary>The server's TLS certificate: a self-signed ECDSA P-256 one for loopback, or PEM files the operator gives.</summary>
internal static class TlsCertificates
{
    /// <summary>
    /// Creates a self-signed ECDSA P-256 certificate valid for one year with SANs 127.0.0.1, ::1 and localhost
    /// (RFC 5280 §4.2.1.6), and writes it as PEM; the private key file is created with mode 0600.
    /// </summary>
    public static X509Certificate2 CreateSelfSigned(string certPath, string keyPath, TimeProvider? time = null)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Bulwark (self-signed)", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var cert = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(365));

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(certPath))!);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(keyPath))!);
        WriteSecretFile(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certPath, cert.ExportCertificatePem());
        return cert;
    }

    /// <summary>Loads a PEM certificate and its private key; a missing or mismatched pair stops startup.</summary>
    public static X509Certificate2 Load(string certPath, string keyPath)
    {
        if (!File.Exists(certPath) || !File.Exists(keyPath))
        {
            throw new SecurityConfigurationException($"TLS certificate '{certPath}' or key '{keyPath}' is missing. Run 'bulwark init' or set Bulwark:Server:CertificatePath and KeyPath.");
        }

        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certPath, keyPath);

            // Re-import so the private key is usable by SslStream on every platform (ephemeral PEM keys are not on Windows).
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (CryptographicException ex)
        {
            throw new SecurityConfigurationException($"TLS certificate '{certPath}' and key '{keyPath}' could not be loaded as a PEM pair: {ex.Message}", ex);
        }
    }

    /// <summary>SHA-256 of the DER certificate as colon-separated uppercase hex (the form browsers and openssl show).</summary>
    public static string Sha256Fingerprint(X509Certificate2 certificate) =>
        string.Join(':', SHA256.HashData(certificate.RawData).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    internal static void WriteSecretFile(string path, string contents)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(contents);
        }

        if (!OperatingSystem.IsWindows())
        {
            // UnixCreateMode only applies to new files; an existing file keeps its mode unless we set it.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}

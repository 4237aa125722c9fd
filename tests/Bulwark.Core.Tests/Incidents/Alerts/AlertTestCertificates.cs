using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bulwark.Core.Tests.Incidents.Alerts;

/// <summary>An in-process ECDSA CA and server certificates it issues; nothing touches the machine's trust store.</summary>
internal static class AlertTestCertificates
{
    public const string ReceiverHost = "siem.bulwark.test";

    private static readonly Lazy<X509Certificate2> LazyCa = new(() => CreateCa("Bulwark Alerts Test CA"));

    public static X509Certificate2 Ca => LazyCa.Value;

    public static X509Certificate2Collection TrustedRoots => [Ca];

    /// <summary>A server certificate for the test receiver's names and the loopback addresses.</summary>
    public static X509Certificate2 Server(params string[] dnsNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={(dnsNames.Length > 0 ? dnsNames[0] : ReceiverHost)}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames.Length > 0 ? dnsNames : new[] { "localhost", ReceiverHost })
        {
            san.AddDnsName(name);
        }

        if (dnsNames.Length == 0)
        {
            san.AddIpAddress(IPAddress.Loopback);
            san.AddIpAddress(IPAddress.IPv6Loopback);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = TimeProvider.System.GetUtcNow();
        using var issued = request.Create(Ca, now.AddHours(-1), now.AddHours(12), RandomNumberGenerator.GetBytes(8));
        return issued.CopyWithPrivateKey(key);
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
}

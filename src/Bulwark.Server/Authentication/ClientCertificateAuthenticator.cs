using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bulwark.Core.Identity;
using Bulwark.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Bulwark.Server.Authentication;

/// <summary>
/// Turns a TLS client certificate into the identity of the OAuth service client it is mapped to. Kestrel accepts any
/// certificate in the handshake so that a refusal is a 401 problem rather than a dropped connection; the checks are
/// here: chain to the configured CA bundle only (RFC 5280 §6), validity at the injected clock, the clientAuth EKU
/// (RFC 5280 §4.2.1.12), then the mapping.
/// </summary>
/// <remarks>
/// Revocation is not checked: Bulwark has no network path to CRL/OCSP endpoints in the deployments it targets, and an
/// online check that fails open protects nothing. Revoke a certificate by removing its mapping or disabling the client;
/// keep client certificates short-lived.
/// </remarks>
internal sealed class ClientCertificateAuthenticator(IOptionsMonitor<TlsOptions> tls, ClientDirectory clients, TimeProvider time)
{
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
    private volatile CaBundle? _bundle;

    public bool Enabled => tls.CurrentValue.ClientCertificates.Enabled;

    public async ValueTask<(BulwarkIdentity? Identity, string? Failure)> AuthenticateAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        var options = tls.CurrentValue.ClientCertificates;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(Roots(options.CaBundlePath!));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // Never fetch issuers named by the client's certificate (AIA): no outbound request a caller can steer.
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ClientAuthOid));
        chain.ChainPolicy.VerificationTime = time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (!chain.Build(certificate))
        {
            var status = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
            return (null, status.HasFlag(X509ChainStatusFlags.NotTimeValid) ? "certificate.expired"
                : status.HasFlag(X509ChainStatusFlags.NotValidForUsage) ? "certificate.wrong-usage"
                : "certificate.untrusted");
        }

        // A certificate without an EKU extension is "any purpose" to chain building; a service client's must say clientAuth.
        if (certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is not { } usage
            || !usage.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == ClientAuthOid))
        {
            return (null, "certificate.wrong-usage");
        }

        var thumbprint = certificate.GetCertHashString(HashAlgorithmName.SHA256);
        var mapping = options.Mappings.FirstOrDefault(m => string.Equals(m.Thumbprint, thumbprint, StringComparison.OrdinalIgnoreCase))
            ?? options.Mappings.FirstOrDefault(m => m.Subject is not null && string.Equals(m.Subject, certificate.Subject, StringComparison.Ordinal));
        if (mapping is null)
        {
            return (null, "certificate.unmapped");
        }

        var client = await clients.FindAsync(mapping.ClientId, cancellationToken);
        if (client is null || client.Disabled)
        {
            return (null, "certificate.client-inactive");
        }

        return (new BulwarkIdentity("client:" + client.ClientId, client.Name, PrincipalKinds.Service, "mtls")
        {
            BoundProject = client.ProjectId,
            BoundScopes = client.Scopes,
            AuthTime = time.GetUtcNow(),
        }, null);
    }

    internal static X509Certificate2Collection LoadBundle(string path)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(path);
        return collection;
    }

    private X509Certificate2Collection Roots(string path)
    {
        var current = _bundle;
        if (current is null || current.Path != path)
        {
            current = new CaBundle(path, LoadBundle(path));
            _bundle = current;
        }

        return current.Roots;
    }

    private sealed record CaBundle(string Path, X509Certificate2Collection Roots);
}

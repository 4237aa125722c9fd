using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bulwark.Client;

/// <summary>
/// How a <see cref="BulwarkClient"/> decides to trust the server's TLS certificate. Validation is never switched off.
/// Exactly one rule applies: the platform's normal validation (<see cref="SystemDefault"/>), OR only the exact pinned
/// certificate (<see cref="Fingerprint"/>), OR only a chain to the given CA with a matching host name
/// (<see cref="CaCertificateFile"/>); a pin or CA file never falls back to the system trust store.
/// </summary>
public sealed class ServerTrust
{
    private readonly byte[]? _pinnedSha256;
    private readonly X509Certificate2Collection? _roots;

    private ServerTrust(byte[]? pinnedSha256, X509Certificate2Collection? roots, string description)
    {
        _pinnedSha256 = pinnedSha256;
        _roots = roots;
        Description = description;
    }

    /// <summary>A short human description of this trust decision (never contains a secret).</summary>
    public string Description { get; }

    /// <summary>Only the platform's normal certificate validation (public CAs, system trust store).</summary>
    public static ServerTrust SystemDefault { get; } = new(null, null, "system trust store");

    /// <summary>
    /// Pins the server certificate by the SHA-256 digest of its DER encoding, written as hex with or without colons
    /// (the form <c>openssl x509 -fingerprint -sha256</c> prints). Host name and chain are not checked for the pinned
    /// certificate: the pin is stronger than both.
    /// </summary>
    /// <exception cref="ArgumentException">The fingerprint is not 32 hex bytes.</exception>
    public static ServerTrust Fingerprint(string sha256Fingerprint)
    {
        var hex = sha256Fingerprint.Trim().Replace(":", string.Empty, StringComparison.Ordinal)
            .Replace(" ", string.Empty, StringComparison.Ordinal);
        if (hex.StartsWith("sha256/", StringComparison.OrdinalIgnoreCase))
        {
            hex = hex[7..];
        }

        byte[] digest;
        try
        {
            digest = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            throw new ArgumentException("The fingerprint must be a SHA-256 digest in hex (e.g. AB:CD:…).", nameof(sha256Fingerprint));
        }

        if (digest.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException("The fingerprint must be a SHA-256 digest (32 bytes).", nameof(sha256Fingerprint));
        }

        return new ServerTrust(digest, null, "pinned SHA-256 fingerprint");
    }

    /// <summary>
    /// Trusts certificates that chain to the certificate(s) in a PEM file (a private CA, or the server's own
    /// self-signed certificate), and only those: the system trust store is not consulted. The host name must still
    /// match the certificate.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentException">The file holds no PEM certificate.</exception>
    public static ServerTrust CaCertificateFile(string pemPath)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(pemPath);
        if (roots.Count == 0)
        {
            throw new ArgumentException($"No PEM certificate found in '{pemPath}'.", nameof(pemPath));
        }

        return new ServerTrust(null, roots, "CA certificate file");
    }

    /// <summary>Formats a SHA-256 digest of a certificate as upper-case colon-separated hex.</summary>
    public static string FormatFingerprint(X509Certificate2 certificate)
    {
        var digest = SHA256.HashData(certificate.RawData);
        return string.Join(':', digest.Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// The TLS certificate decision. A configured pin or CA file REPLACES the platform's trust rather than adding to
    /// it: accepting anything the system store trusts as well would let any publicly-trusted certificate for the name
    /// (a mis-issued one, or one from an intercepting corporate CA) stand in for the server the user pinned.
    /// </summary>
    internal bool Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return false;
        }

        if (_pinnedSha256 is not null)
        {
            // The pin alone decides, whatever the platform thought of the chain or the name.
            var actual = SHA256.HashData(certificate.GetRawCertData());
            return CryptographicOperations.FixedTimeEquals(actual, _pinnedSha256);
        }

        if (_roots is not null)
        {
            // RFC 6125: the name must match whatever anchor we chain to; only the chain is re-evaluated here.
            if ((errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
            {
                return false;
            }

            using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(_roots);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
            {
                // Intermediates the server sent; they are only path-building candidates, never anchors.
                foreach (var element in chain.ChainElements)
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            return custom.Build(leaf);
        }

        return errors == SslPolicyErrors.None;
    }
}

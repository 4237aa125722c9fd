using System.Net;

namespace Bulwark.Server.Hosting;

/// <summary>Where and how the HTTPS endpoint listens. Bound from <c>Bulwark:Server</c> and validated at startup.</summary>
internal sealed class ServerOptions
{
    public const string Section = "Bulwark:Server";

    /// <summary>Loopback by default: exposing the API is a deliberate choice (<see cref="AllowPublicBind"/>).</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>0 picks a free port (tests); read the bound URL back with <see cref="BulwarkServer.BoundUrl"/>.</summary>
    public int Port { get; set; } = 8443;

    /// <summary>Required to listen on a wildcard address (0.0.0.0 or ::).</summary>
    public bool AllowPublicBind { get; set; }

    /// <summary>Semicolon-separated host names accepted in the Host header (RFC 9110 §7.2); "*" is refused.</summary>
    public string AllowedHosts { get; set; } = "127.0.0.1;localhost;[::1]";

    /// <summary>PEM certificate; defaults to &lt;data-dir&gt;/tls/cert.pem.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key; defaults to &lt;data-dir&gt;/tls/key.pem.</summary>
    public string? KeyPath { get; set; }

    /// <summary>HSTS max-age in days (RFC 6797 §6.1.1).</summary>
    public int HstsMaxAgeDays { get; set; } = 365;

    public IReadOnlyList<string> AllowedHostList =>
        AllowedHosts.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string ResolveCertificatePath(string dataDir) => CertificatePath ?? Path.Combine(dataDir, "tls", "cert.pem");

    public string ResolveKeyPath(string dataDir) => KeyPath ?? Path.Combine(dataDir, "tls", "key.pem");

    public bool IsWildcardAddress() =>
        IPAddress.TryParse(Address, out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any));
}

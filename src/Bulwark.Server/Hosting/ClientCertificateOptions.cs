namespace Bulwark.Server.Hosting;

/// <summary>
/// Mutual TLS for service clients (<c>Bulwark:Tls:ClientCertificates</c>), off by default. A client certificate is
/// accepted only when it chains to a CA in <see cref="CaBundlePath"/> (never the system store), is within its validity
/// period, carries the clientAuth extended key usage, and is mapped to a registered OAuth service client.
/// </summary>
internal sealed class ClientCertificateOptions
{
    public bool Enabled { get; set; }

    /// <summary>PEM file of the CA certificates that issue client certificates.</summary>
    public string? CaBundlePath { get; set; }

    /// <summary>Which certificate acts as which OAuth service client.</summary>
    public List<ClientCertificateMapping> Mappings { get; set; } = [];

    internal static IEnumerable<string> Validate(ClientCertificateOptions options)
    {
        const string section = TlsOptions.Section + ":ClientCertificates";
        if (!options.Enabled)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(options.CaBundlePath) || !File.Exists(options.CaBundlePath))
        {
            yield return $"{section}:CaBundlePath must name a PEM file of the CA certificates that issue client certificates (the system store is never used).";
        }
        else if (CountCertificates(options.CaBundlePath) < 1)
        {
            yield return $"{section}:CaBundlePath '{options.CaBundlePath}' holds no readable PEM certificate.";
        }

        for (var i = 0; i < options.Mappings.Count; i++)
        {
            var m = options.Mappings[i];
            if (string.IsNullOrWhiteSpace(m.Thumbprint) == string.IsNullOrWhiteSpace(m.Subject))
            {
                yield return $"{section}:Mappings:{i} needs exactly one of Thumbprint (SHA-256, hex) and Subject.";
            }
            else if (m.Thumbprint is { Length: > 0 } t && (t.Length != 64 || !t.All(Uri.IsHexDigit)))
            {
                yield return $"{section}:Mappings:{i}:Thumbprint must be the certificate's SHA-256 fingerprint in hex (64 digits).";
            }

            if (string.IsNullOrWhiteSpace(m.ClientId))
            {
                yield return $"{section}:Mappings:{i}:ClientId must name a registered OAuth service client.";
            }
        }
    }

    private static int CountCertificates(string path)
    {
        try
        {
            return Authentication.ClientCertificateAuthenticator.LoadBundle(path).Count;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return 0;
        }
    }
}

/// <summary>One certificate (by SHA-256 fingerprint or exact subject) acting as one OAuth service client.</summary>
internal sealed class ClientCertificateMapping
{
    public string? Thumbprint { get; set; }

    public string? Subject { get; set; }

    public string ClientId { get; set; } = "";
}

using System.Net.Security;
using System.Security.Authentication;

namespace Bulwark.Server.Hosting;

/// <summary>
/// TLS settings of the HTTPS endpoint. Bound from <c>Bulwark:Tls</c> and validated at startup
/// (<see cref="TlsOptionsValidator"/>): a request for TLS 1.0/1.1 or for a suite outside the allow-list stops startup.
/// </summary>
internal sealed class TlsOptions
{
    public const string Section = "Bulwark:Tls";

    /// <summary>
    /// AEAD-only suites (RFC 8446 §B.4 for TLS 1.3; ECDHE + GCM/ChaCha20-Poly1305 for TLS 1.2, as in Mozilla's
    /// "intermediate" profile). CBC suites (Lucky13, RFC 7457 §2.5), static RSA key exchange (no forward secrecy) and
    /// everything older are excluded.
    /// </summary>
    public static readonly IReadOnlyList<TlsCipherSuite> AllowedSuites =
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

    /// <summary>Semicolon-separated protocol versions: <c>Tls12</c>, <c>Tls13</c> (also written 1.2 / TLS1.2).</summary>
    public string Protocols { get; set; } = "Tls12;Tls13";

    /// <summary>
    /// Semicolon-separated IANA suite names (e.g. <c>TLS_AES_256_GCM_SHA384</c>) to narrow the allow-list; empty means the
    /// whole allow-list. Honoured on Linux and macOS (OpenSSL / Network.framework), refused on Windows (SChannel policy).
    /// </summary>
    public string? CipherSuites { get; set; }

    /// <summary>Optional client-certificate (mutual TLS) authentication for service clients; off by default.</summary>
    public ClientCertificateOptions ClientCertificates { get; set; } = new();

    /// <summary>The enabled protocols; call after validation.</summary>
    public SslProtocols EnabledProtocols => ParseProtocols(Protocols, []) ?? SslProtocols.None;

    /// <summary>The suites offered; call after validation.</summary>
    public IReadOnlyList<TlsCipherSuite> EnabledSuites => ParseSuites(CipherSuites, []) ?? AllowedSuites;

    internal static bool IsTls13Suite(TlsCipherSuite suite) =>
        suite is TlsCipherSuite.TLS_AES_256_GCM_SHA384 or TlsCipherSuite.TLS_AES_128_GCM_SHA256 or TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256;

    /// <summary>Null when nothing valid was given; each refusal is added to <paramref name="errors"/>.</summary>
    internal static SslProtocols? ParseProtocols(string? text, List<string> errors)
    {
        var result = SslProtocols.None;
        foreach (var token in Split(text))
        {
            var normalized = token.Replace(" ", "", StringComparison.Ordinal).Replace("v", "", StringComparison.OrdinalIgnoreCase).ToUpperInvariant();
            switch (normalized)
            {
                case "TLS12" or "TLS1.2" or "1.2":
                    result |= SslProtocols.Tls12;
                    break;
                case "TLS13" or "TLS1.3" or "1.3":
                    result |= SslProtocols.Tls13;
                    break;
                case "TLS" or "TLS10" or "TLS1.0" or "TLS1" or "1.0" or "TLS11" or "TLS1.1" or "1.1" or "SSL2" or "SSL3" or "SSL2.0" or "SSL3.0":
                    errors.Add($"{Section}:Protocols asks for '{token}': TLS 1.0, TLS 1.1 and SSL are refused (RFC 8996). Use Tls12 and/or Tls13.");
                    break;
                default:
                    errors.Add($"{Section}:Protocols has an unknown protocol '{token}'. Use Tls12 and/or Tls13.");
                    break;
            }
        }

        return result == SslProtocols.None ? null : result;
    }

    /// <summary>Null when no suites are configured (the whole allow-list applies).</summary>
    internal static List<TlsCipherSuite>? ParseSuites(string? text, List<string> errors)
    {
        var tokens = Split(text);
        if (tokens.Length == 0)
        {
            return null;
        }

        var suites = new List<TlsCipherSuite>();
        foreach (var token in tokens)
        {
            if (!token.StartsWith("TLS_", StringComparison.Ordinal) || !Enum.TryParse<TlsCipherSuite>(token, ignoreCase: false, out var suite))
            {
                errors.Add($"{Section}:CipherSuites has an unknown suite '{token}'; use IANA names such as TLS_AES_256_GCM_SHA384.");
            }
            else if (!AllowedSuites.Contains(suite))
            {
                errors.Add($"{Section}:CipherSuites asks for '{token}', which is not allowed: only TLS 1.3 suites and TLS 1.2 suites with ECDHE key exchange and an AEAD cipher (AES-GCM, ChaCha20-Poly1305) are accepted.");
            }
            else if (!suites.Contains(suite))
            {
                suites.Add(suite);
            }
        }

        return suites;
    }

    private static string[] Split(string? text) =>
        (text ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

using System.Security.Authentication;
using Microsoft.Extensions.Options;

namespace Bulwark.Server.Hosting;

/// <summary>
/// Refuses TLS settings weaker than Bulwark's floor (DESIGN.md invariant 3): TLS 1.0/1.1, non-AEAD or non-ECDHE suites,
/// or a suite list that leaves an enabled protocol with nothing to negotiate.
/// </summary>
internal sealed class TlsOptionsValidator : IValidateOptions<TlsOptions>
{
    public ValidateOptionsResult Validate(string? name, TlsOptions options)
    {
        var errors = new List<string>();
        var protocols = TlsOptions.ParseProtocols(options.Protocols, errors);
        if (protocols is null && errors.Count == 0)
        {
            errors.Add($"{TlsOptions.Section}:Protocols is empty; use Tls12;Tls13 (the default) or Tls13.");
        }

        var suites = TlsOptions.ParseSuites(options.CipherSuites, errors);
        if (suites is not null && errors.Count == 0 && protocols is { } enabled)
        {
            if (OperatingSystem.IsWindows())
            {
                errors.Add($"{TlsOptions.Section}:CipherSuites cannot be applied on Windows (SChannel takes suites from system policy); remove it.");
            }

            if (enabled.HasFlag(SslProtocols.Tls13) && !suites.Any(TlsOptions.IsTls13Suite))
            {
                errors.Add($"{TlsOptions.Section}:CipherSuites has no TLS 1.3 suite although Tls13 is enabled; add TLS_AES_256_GCM_SHA384 or TLS_AES_128_GCM_SHA256.");
            }

            if (enabled.HasFlag(SslProtocols.Tls12) && suites.All(TlsOptions.IsTls13Suite))
            {
                errors.Add($"{TlsOptions.Section}:CipherSuites has no TLS 1.2 suite although Tls12 is enabled; add e.g. TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, or set Protocols to Tls13.");
            }
        }

        errors.AddRange(ClientCertificateOptions.Validate(options.ClientCertificates));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

using System.Net;
using Bulwark.Core.Crypto;
using Microsoft.Extensions.Options;

namespace Bulwark.Server.Hosting;

/// <summary>
/// Fails closed: a weak or incomplete server configuration stops startup with a message that says what to fix
/// (DESIGN.md invariant 10).
/// </summary>
internal sealed class ServerOptionsValidator(IOptions<StorageOptions> storage) : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        var errors = new List<string>();
        if (!IPAddress.TryParse(options.Address, out _))
        {
            errors.Add($"Bulwark:Server:Address '{options.Address}' is not an IP address; use e.g. 127.0.0.1.");
        }
        else if (options.IsWildcardAddress() && !options.AllowPublicBind)
        {
            errors.Add($"Bulwark:Server:Address {options.Address} listens on every interface; set Bulwark:Server:AllowPublicBind=true if that is intended, or bind 127.0.0.1.");
        }

        if (options.Port is < 0 or > 65535)
        {
            errors.Add($"Bulwark:Server:Port {options.Port} is out of range (0-65535).");
        }

        var hosts = options.AllowedHostList;
        if (hosts.Count == 0 || hosts.Any(h => h.Contains('*', StringComparison.Ordinal)))
        {
            errors.Add("Bulwark:Server:AllowedHosts must list explicit host names (wildcards such as '*' disable the host allow-list); e.g. '127.0.0.1;localhost'.");
        }

        if (options.HstsMaxAgeDays < 1)
        {
            errors.Add("Bulwark:Server:HstsMaxAgeDays must be at least 1.");
        }

        var dataDir = storage.Value.DataDir;
        if (!string.IsNullOrEmpty(dataDir))
        {
            var cert = options.ResolveCertificatePath(dataDir);
            var key = options.ResolveKeyPath(dataDir);
            if (!File.Exists(cert) || !File.Exists(key))
            {
                errors.Add($"TLS certificate '{cert}' or key '{key}' is missing. Run 'bulwark init --data-dir {dataDir}' or set Bulwark:Server:CertificatePath and Bulwark:Server:KeyPath to PEM files.");
            }
            else if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(key) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            {
                errors.Add($"TLS private key '{key}' is readable by group or others. Fix it with: chmod 600 '{key}'.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Turns an options validation failure into the startup error users see.</summary>
internal static class StartupFailure
{
    public static SecurityConfigurationException From(OptionsValidationException ex) =>
        new("Bulwark cannot start: " + string.Join(" ", ex.Failures), ex);
}

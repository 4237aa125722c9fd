using Microsoft.Extensions.Options;

namespace Bulwark.Core.Registry;

/// <summary>
/// Fails startup on a trusted-signer entry that cannot be read or is not an ECDSA P-256 public key (a typo would
/// otherwise silently trust nobody, or a misplaced private key would sit in the configuration), and on requiring
/// external signatures with no signer to trust (every import would be refused): DESIGN.md invariant 10.
/// </summary>
internal sealed class RegistryOptionsValidator : IValidateOptions<RegistryOptions>
{
    public ValidateOptionsResult Validate(string? name, RegistryOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.TrustedSigners.Count; i++)
        {
            if (!TrustedSigners.TryLoad(options.TrustedSigners[i], out _, out var error))
            {
                errors.Add($"{RegistryOptions.Section}:TrustedSigners:{i}: {error}.");
            }
        }

        foreach (var key in options.Gates.Keys.Where(k => !RegistryOptions.IsModelKey(k)))
        {
            errors.Add($"{RegistryOptions.Section}:Gates:{key}: the key must be a model name or <project>/<model>.");
        }

        if (options.RequireExternalSignature && options.TrustedSigners.Count == 0)
        {
            errors.Add($"{RegistryOptions.Section}:RequireExternalSignature is on but no TrustedSigners are configured: every import would be refused.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

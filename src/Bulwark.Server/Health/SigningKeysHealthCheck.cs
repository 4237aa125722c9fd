using Bulwark.Core.Identity;
using Bulwark.Core.Registry;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bulwark.Server.Health;

/// <summary>
/// The keys that sign what Bulwark issues are loaded: an active access-token signing key (sign-in and token issuance)
/// and the manifest signing key (model registration). Both load at start-up, so this fails only if that never happened.
/// </summary>
internal sealed class SigningKeysHealthCheck(SigningKeyStore tokenKeys, ManifestSigner manifests) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            if (tokenKeys.Current.Active is null)
            {
                return HealthCheckResult.Unhealthy("No active access-token signing key.");
            }

            return string.IsNullOrEmpty(await manifests.GetKeyIdAsync(cancellationToken))
                ? HealthCheckResult.Unhealthy("The manifest signing key is not loaded.")
                : HealthCheckResult.Healthy("The token and manifest signing keys are loaded.");
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Security.Cryptography.CryptographicException or IOException)
        {
            return HealthCheckResult.Unhealthy("The signing keys are not loaded.", ex);
        }
    }
}

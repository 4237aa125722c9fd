using System.Security.Cryptography;
using Bulwark.Core.Crypto;
using Bulwark.Core.Registry;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bulwark.Server.Health;

/// <summary>
/// The master key ring in memory still opens what is sealed at rest: the manifest signing key, created at the first
/// start and sealed under the key ring, decrypts and authenticates (AES-256-GCM). Fails when the keys in memory are
/// gone or wrong, or when the sealed key in the data directory is missing or altered; in both cases the next start
/// would fail too, and model registration cannot sign.
/// </summary>
internal sealed class KeyRingHealthCheck(ArtifactStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        byte[]? opened = null;
        try
        {
            opened = await store.GetAsync(ManifestSigner.KeyPurpose, ManifestSigner.KeyObjectId, cancellationToken);
            return HealthCheckResult.Healthy("The key ring opens the data sealed at rest.");
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy("The key ring does not open the data sealed at rest (keys unusable, or the sealed signing key missing or altered).", ex);
        }
        finally
        {
            // The plaintext is a private key: it was opened only to prove it can be.
            if (opened is not null)
            {
                CryptographicOperations.ZeroMemory(opened);
            }
        }
    }
}

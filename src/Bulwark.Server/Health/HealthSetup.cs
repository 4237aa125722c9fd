using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bulwark.Server.Health;

internal static class HealthSetup
{
    /// <summary>The checks behind <c>/v2/health/ready</c>: ready means all of them are healthy.</summary>
    public static IServiceCollection AddBulwarkHealthChecks(this IServiceCollection services)
    {
        // A probe must answer while the orchestrator still waits: a check stuck on a locked database counts as failed.
        var timeout = TimeSpan.FromSeconds(5);
        services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store", HealthStatus.Unhealthy, timeout: timeout)
            .AddCheck<KeyRingHealthCheck>("key-ring", HealthStatus.Unhealthy, timeout: timeout)
            .AddCheck<SigningKeysHealthCheck>("signing-keys", HealthStatus.Unhealthy, timeout: timeout)
            .AddCheck<ModelsHealthCheck>("models", HealthStatus.Unhealthy, timeout: timeout);
        return services;
    }
}

using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bulwark.Core.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Bulwark's meter and instruments (a singleton). Uses the host's <see cref="IMeterFactory"/> when there is one, so
    /// two hosts in one process (tests) keep separate meters. Exporting them is the host's business (the server's
    /// OpenTelemetry setup); without a listener every instrument call is a no-op.
    /// </summary>
    public static IServiceCollection AddTelemetry(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new BulwarkMetrics(sp.GetService<IMeterFactory>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}

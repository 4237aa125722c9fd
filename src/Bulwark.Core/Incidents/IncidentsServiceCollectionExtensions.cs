using Bulwark.Core.Incidents.Alerts;
using Bulwark.Core.Incidents.Containment;
using Bulwark.Core.Incidents.Detection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Bulwark.Core.Incidents;

public static class IncidentsServiceCollectionExtensions
{
    /// <summary>Detection rules, alerts, incidents, deadlines, containment and evidence bundles.</summary>
    public static IServiceCollection AddIncidents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IncidentsOptions>().Bind(configuration.GetSection(IncidentsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddDetection(configuration);
        services.AddAlerts(configuration);
        services.TryAddScoped<IncidentService>();
        services.TryAddSingleton<IncidentNumberGate>();
        services.TryAddScoped<ContainmentService>();
        services.TryAddScoped<Evidence.EvidenceBundleWriter>();
        services.TryAddSingleton<ContainmentState>();
        services.TryAddSingleton<DetectionWorker>();
        services.TryAddSingleton<IncidentDeadlineWorker>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DetectionWorker>(sp => sp.GetRequiredService<DetectionWorker>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, IncidentDeadlineWorker>(sp => sp.GetRequiredService<IncidentDeadlineWorker>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ContainmentSync>());
        return services;
    }
}

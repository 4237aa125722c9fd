using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Incidents.Detection;

public static class DetectionServiceCollectionExtensions
{
    /// <summary>Binds and validates <see cref="DetectionOptions"/> at startup and registers the one <c>DetectionEngine</c>.</summary>
    public static IServiceCollection AddDetection(this IServiceCollection services, IConfiguration configuration)
    {
        // Safe to call twice: binding the section again would append AdminNetworks a second time.
        if (services.Any(d => d.ServiceType == typeof(DetectionEngine)))
        {
            return services;
        }

        services.AddOptions<DetectionOptions>().Bind(configuration.GetSection(DetectionOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DetectionOptions>, DetectionOptionsValidator>());
        services.TryAddSingleton<DetectionEngine>();
        return services;
    }
}

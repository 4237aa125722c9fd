using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Incidents.Alerts;

public static class AlertsServiceCollectionExtensions
{
    /// <summary>
    /// Security alert delivery: options from <c>Bulwark:Alerts</c> (validated at startup), the SSRF-hardened webhook
    /// sender, the <c>AlertDispatcher</c> detection code raises alerts through, and the background delivery loop. Safe to
    /// call twice.
    /// </summary>
    public static IServiceCollection AddAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        // Binding twice would append the configured webhooks twice (lists bind by appending), so register once only.
        if (services.Any(d => d.ServiceType == typeof(AlertDispatcher)))
        {
            return services;
        }

        services.AddOptions<AlertOptions>().Bind(configuration.GetSection(AlertOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlertOptions>, AlertOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<WebhookSender>();
        services.TryAddSingleton<AlertDispatcher>();
        services.AddHostedService<AlertDeliveryService>();
        return services;
    }
}

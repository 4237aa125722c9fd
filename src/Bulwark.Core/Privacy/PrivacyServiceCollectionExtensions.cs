using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bulwark.Core.Privacy;

public static class PrivacyServiceCollectionExtensions
{
    /// <summary>Data-subject rights (erasure, access), capture pseudonymisation and per-project retention.</summary>
    public static IServiceCollection AddPrivacy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PrivacyOptions>().Bind(configuration.GetSection(PrivacyOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<CapturePseudonyms>();
        services.TryAddSingleton<CaptureColumns>();
        services.TryAddScoped<SubjectErasure>();
        services.TryAddScoped<SubjectExport>();
        services.TryAddScoped<RetentionSettings>();
        services.TryAddSingleton<RetentionPurge>();
        if (!services.Any(d => d.ServiceType == typeof(RetentionWorker)))
        {
            services.AddSingleton<RetentionWorker>();
            services.AddHostedService(sp => sp.GetRequiredService<RetentionWorker>());
        }

        return services;
    }
}

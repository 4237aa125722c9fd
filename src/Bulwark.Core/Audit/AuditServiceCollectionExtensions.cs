using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Bulwark.Core.Audit;

public static class AuditServiceCollectionExtensions
{
    public static IServiceCollection AddAudit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuditOptions>().Bind(configuration.GetSection(AuditOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<AuditLedger>();
        services.TryAddSingleton<AuditKeyStore>();
        services.TryAddSingleton<AuditCheckpointer>();
        services.TryAddScoped<AuditExporter>();
        services.TryAddSingleton<AuditArchiver>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AuditRetentionWorker>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AuditCheckpointWorker>());
        services.TryAddScoped<AuditVerifier>();
        services.TryAddSingleton<AuditSearch>();
        services.TryAddSingleton<InputHasher>();
        return services;
    }
}

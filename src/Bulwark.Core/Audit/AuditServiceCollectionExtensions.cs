using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bulwark.Core.Audit;

public static class AuditServiceCollectionExtensions
{
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.TryAddSingleton<AuditLedger>();
        services.TryAddScoped<AuditVerifier>();
        services.TryAddSingleton<AuditSearch>();
        services.TryAddSingleton<InputHasher>();
        return services;
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bulwark.Core.Identity;

public static class IdentityServiceCollectionExtensions
{
    public static IServiceCollection AddIdentity(this IServiceCollection services)
    {
        services.TryAddSingleton<ApiKeyCache>();
        services.TryAddSingleton<ApiKeyHasher>();
        services.TryAddScoped<ApiKeyService>();
        return services;
    }
}

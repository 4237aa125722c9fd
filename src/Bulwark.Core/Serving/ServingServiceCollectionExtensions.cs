using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Serving;

public static class ServingServiceCollectionExtensions
{
    public static IServiceCollection AddServing(this IServiceCollection services, IConfiguration configuration)
    {
        return services;
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bulwark.Core.BreakGlass;

public static class BreakGlassServiceCollectionExtensions
{
    /// <summary>Emergency (break-glass) access: options validated at startup and the session service.</summary>
    public static IServiceCollection AddBreakGlass(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BreakGlassOptions>().Bind(configuration.GetSection(BreakGlassOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<BreakGlassService>();
        return services;
    }
}

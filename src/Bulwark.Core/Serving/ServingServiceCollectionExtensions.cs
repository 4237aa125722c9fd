using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bulwark.Core.Serving;

public static class ServingServiceCollectionExtensions
{
    /// <summary>The verifying model loader, the loaded-model cache and the prediction service (all singletons).</summary>
    public static IServiceCollection AddServing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ServingOptions>().Bind(configuration.GetSection(ServingOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<ModelLoader>();
        services.TryAddSingleton<ExtractionGuard>();
        services.TryAddSingleton<LoadedModelCache>();
        services.TryAddSingleton<PredictionService>();
        return services;
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bulwark.Core.Serving;

public static class ServingServiceCollectionExtensions
{
    /// <summary>The verifying model loader, the loaded-model cache, the prediction service and champion/challenger routing.</summary>
    public static IServiceCollection AddServing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ServingOptions>().Bind(configuration.GetSection(ServingOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<ModelLoader>();
        services.TryAddSingleton<ExtractionGuard>();
        services.TryAddSingleton<LoadedModelCache>();
        services.TryAddSingleton<PredictionService>();
        services.TryAddSingleton<ChallengerTag>();
        services.TryAddSingleton<ChallengerRouter>();
        if (!services.Any(d => d.ServiceType == typeof(ShadowScorer)))
        {
            services.AddSingleton<ShadowScorer>();
            services.AddHostedService(sp => sp.GetRequiredService<ShadowScorer>());
        }

        services.TryAddScoped<ChallengerComparer>();
        services.TryAddScoped<ModelChallengers>();
        return services;
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Bulwark.Core.Registry;

public static class RegistryServiceCollectionExtensions
{
    /// <summary>Manifest signing, registration, the registry (stages) and ONNX import.</summary>
    public static IServiceCollection AddRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RegistryOptions>().Bind(configuration.GetSection(RegistryOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<ManifestSigner>();
        services.TryAddSingleton<ModelStageTag>();
        services.TryAddSingleton<ModelReleaseLedger>();
        services.TryAddScoped<ModelRegistrar>();
        services.TryAddScoped<ModelRegistry>();
        services.TryAddScoped<PromotionGates>();
        services.TryAddScoped<ModelImporter>();
        services.TryAddScoped<ModelQuarantine>();
        services.TryAddSingleton<ArtifactReverifier>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ArtifactReverifyWorker>());
        return services;
    }
}

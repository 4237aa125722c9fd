using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Registry;

public static class RegistryServiceCollectionExtensions
{
    /// <summary>Manifest signing, registration, the registry (stages), ONNX import (with trusted external signers) and export.</summary>
    public static IServiceCollection AddRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RegistryOptions>().Bind(configuration.GetSection(RegistryOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RegistryOptions>, RegistryOptionsValidator>());
        services.TryAddSingleton<TrustedSigners>();
        services.TryAddSingleton<ManifestSigner>();
        services.TryAddSingleton<ModelStageTag>();
        services.TryAddSingleton<ModelReleaseLedger>();
        services.TryAddScoped<ModelRegistrar>();
        services.TryAddScoped<ModelRegistry>();
        services.TryAddScoped<PromotionGates>();
        services.TryAddScoped<ModelImporter>();
        services.TryAddScoped<ModelArtifacts>();
        services.TryAddScoped<ModelQuarantine>();
        services.TryAddSingleton<ArtifactReverifier>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ArtifactReverifyWorker>());
        return services;
    }
}

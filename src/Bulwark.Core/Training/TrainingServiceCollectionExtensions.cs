using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Bulwark.Core.Training;

public static class TrainingServiceCollectionExtensions
{
    /// <summary>Training options (validated at startup), job submission, the queue and the background worker.</summary>
    public static IServiceCollection AddTraining(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TrainingOptions>().Bind(configuration.GetSection(TrainingOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<TrainingQueue>();
        services.TryAddScoped<TrainingJobs>();
        services.TryAddScoped<TrainingRunner>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TrainingWorker>());
        return services;
    }
}

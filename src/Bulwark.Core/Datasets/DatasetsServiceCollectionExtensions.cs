using Bulwark.Core.Compliance;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bulwark.Core.Datasets;

public static class DatasetsServiceCollectionExtensions
{
    /// <summary>Dataset import limits (validated at startup), the importer (with its PAN tokeniser) and the catalog.</summary>
    public static IServiceCollection AddDatasets(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatasetsOptions>().Bind(configuration.GetSection(DatasetsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<PanTokeniser>();
        services.TryAddScoped<DatasetImporter>();
        services.TryAddScoped<DatasetCatalog>();
        return services;
    }
}

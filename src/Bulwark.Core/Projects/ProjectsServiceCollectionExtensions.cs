using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bulwark.Core.Projects;

public static class ProjectsServiceCollectionExtensions
{
    public static IServiceCollection AddProjects(this IServiceCollection services)
    {
        services.TryAddScoped<ProjectScope>();
        services.TryAddSingleton<ProjectDirectory>();
        services.TryAddScoped<ProjectService>();
        services.TryAddSingleton<MembershipTag>();
        return services;
    }
}

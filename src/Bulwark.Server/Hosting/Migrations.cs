using Bulwark.Core.Storage;

namespace Bulwark.Server.Hosting;

/// <summary>Brings the database schema up to date before the server listens.</summary>
internal static class Migrations
{
    public static async Task ApplyAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await StorageServiceCollectionExtensions.MigrateAsync(services, cancellationToken);
        await Core.Registry.ReleaseAdoption.AdoptAsync(services, cancellationToken);
    }
}

using Bulwark.Core.Storage;

namespace Bulwark.Server.Hosting;

/// <summary>Brings the database schema up to date before the server listens.</summary>
internal static class Migrations
{
    public static Task ApplyAsync(IServiceProvider services, CancellationToken cancellationToken = default) =>
        StorageServiceCollectionExtensions.MigrateAsync(services, cancellationToken);
}

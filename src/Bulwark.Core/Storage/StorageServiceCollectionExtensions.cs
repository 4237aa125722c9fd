using Bulwark.Core.Crypto;
using Bulwark.Core.Crypto.Envelopes;
using Bulwark.Core.Crypto.Providers;
using Bulwark.Core.Projects;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Data directory, master key ring, envelope encryption, artifact store and the SQLite database.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value);
        services.AddOptions<KeysOptions>().Bind(configuration.GetSection(KeysOptions.Section)).ValidateDataAnnotations()
            .Validate(o => o.RotateEvery >= TimeSpan.FromDays(1), "Bulwark:Keys:RotateEvery must be at least 1.00:00:00 (one day).")
            .Validate(o => o.CheckEvery >= TimeSpan.FromMinutes(1) && o.CheckEvery <= o.RotateEvery, "Bulwark:Keys:CheckEvery must be between one minute and RotateEvery.")
            .Validate(o => o.DestroyApprovalWindow >= TimeSpan.FromMinutes(5) && o.DestroyApprovalWindow <= TimeSpan.FromDays(7),
                "Bulwark:Keys:DestroyApprovalWindow must be between 00:05:00 and 7.00:00:00.")
            .ValidateOnStart();
        services.TryAddSingleton(sp => KekProviders.OpenRing(sp.GetRequiredService<IOptions<KeysOptions>>().Value, sp.GetRequiredService<StorageOptions>(),
            sp.GetRequiredService<TimeProvider>(), () => Pkcs11Options.FromConfiguration(configuration)));
        services.TryAddSingleton<EnvelopeEncryption>();
        services.TryAddSingleton<Identity.PersonalFields>();
        services.AddEnvelopeStores();
        services.TryAddSingleton<KeyRingService>();
        services.TryAddSingleton<KeyRotationWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyRotationWorker>());

        services.TryAddSingleton<ArtifactStore>();
        services.TryAddScoped<ProjectScope>();
        if (!services.Any(d => d.ServiceType == typeof(IDbContextFactory<BulwarkDbContext>)))
        {
            services.AddPooledDbContextFactory<BulwarkDbContext>((sp, options) =>
                options.UseSqlite(ConnectionString(sp.GetRequiredService<StorageOptions>().DatabasePath))
                    .AddInterceptors(new SqlitePragmaInterceptor(sp.GetRequiredService<StorageOptions>().SqliteSynchronous),
                        Identity.PersonalFieldInterceptor.Instance));
            services.AddScoped(sp =>
            {
                var db = sp.GetRequiredService<IDbContextFactory<BulwarkDbContext>>().CreateDbContext();
                db.Scope = sp.GetRequiredService<ProjectScope>();
                return db;
            });
        }

        return services;
    }

    internal static string ConnectionString(string databasePath) => new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>Creates or upgrades the schema and switches the database to WAL (persistent for the file).</summary>
    internal static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        // SQLite creates the -wal and -shm files with the main file's mode, so creating it 0600 keeps all three private.
        var databasePath = services.GetRequiredService<StorageOptions>().DatabasePath;
        if (!File.Exists(databasePath) && !OperatingSystem.IsWindows())
        {
            await using (new FileStream(databasePath, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
            }
        }

        var factory = services.GetRequiredService<IDbContextFactory<BulwarkDbContext>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        // The migration that seals personal fields also drops a plaintext column: its bytes must leave the file too.
        var sealsPersonalFields = (await db.Database.GetPendingMigrationsAsync(cancellationToken))
            .Any(m => m.EndsWith("_" + nameof(Migrations.PersonalFieldsSealed), StringComparison.Ordinal));
        await db.Database.MigrateAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);

        // Rows written by versions that stored logins and display names in clear are sealed before any request is served.
        await Identity.PersonalFieldBackfill.RunAsync(factory, services.GetRequiredService<Identity.PersonalFields>(), sealsPersonalFields, cancellationToken);

        // Every object belongs to a project; the default one always exists (objects from before projects were migrated there).
        if (!await db.Projects.AnyAsync(p => p.Id == ProjectIds.Default, cancellationToken))
        {
            db.Projects.Add(new Project
            {
                Id = ProjectIds.Default,
                DisplayName = "Default project",
                CreatedBy = "system",
                CreatedAt = services.GetRequiredService<TimeProvider>().GetUtcNow(),
            });
            await db.SaveChangesAsync(cancellationToken);
        }
    }
}

using Bulwark.Core.Crypto;
using Bulwark.Core.Projects;
using Bulwark.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Core.Tests;

/// <summary>A real data directory (master key, SQLite file, encrypted objects) in a temp folder, with a fake clock.</summary>
internal sealed class CoreTestEnvironment : IAsyncDisposable
{
    private CoreTestEnvironment(string dataDir, ServiceProvider services, FakeTimeProvider time)
    {
        DataDir = dataDir;
        Services = services;
        Time = time;
    }

    public string DataDir { get; }
    public ServiceProvider Services { get; }
    public FakeTimeProvider Time { get; }

    public static async Task<CoreTestEnvironment> CreateAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "bulwark-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        MasterKeyFile.CreateNew(time).WriteTo(Path.Combine(dataDir, "master.key"));
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Bulwark:DataDir"] = dataDir })
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
            .Build();
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddLogging()
            .AddBulwarkCore(configuration)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await StorageServiceCollectionExtensions.MigrateAsync(services);
        await services.GetRequiredService<Core.Audit.AuditKeyStore>().InitializeAsync();
        return new CoreTestEnvironment(dataDir, services, time);
    }

    /// <summary>A unit of work acting in <paramref name="projectId"/> (the default project unless a test says otherwise).</summary>
    public AsyncServiceScope Scope(string projectId = ProjectIds.Default)
    {
        var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ProjectScope>().Enter(projectId);
        return scope;
    }

    public async Task<int> ExecuteSqlAsync(string sql)
    {
        // Straight to the SQLite file, as an attacker with file access would, bypassing EF Core and the ledger.
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + Path.Combine(DataDir, "bulwark.db"));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

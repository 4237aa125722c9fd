using Bulwark.Core.Identity;
using Bulwark.Core.Projects;
using Bulwark.Server.Initialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Tests.Telemetry;

/// <summary>
/// A real server like <see cref="TestServer"/>, with an extra <c>configure</c> step (logging providers, services) run
/// through the same <see cref="BulwarkServer.Build"/> hook the CLI uses.
/// </summary>
internal sealed class ConfiguredServer : IAsyncDisposable
{
    private ConfiguredServer(string dataDir, InitResult init, WebApplication app)
    {
        DataDir = dataDir;
        Init = init;
        App = app;
        BaseUrl = BulwarkServer.BoundUrl(app);
    }

    public string DataDir { get; }
    public InitResult Init { get; }
    public WebApplication App { get; }
    public Uri BaseUrl { get; }

    public static async Task<ConfiguredServer> StartAsync(Action<WebApplicationBuilder> configure)
    {
        var dataDir = TestServer.NewDataDir();
        var init = await TestServer.InitAsync(dataDir, TimeProvider.System);
        var app = BulwarkServer.Build(["--data-dir", dataDir, "--port", "0"], builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.Replace(ServiceDescriptor.Singleton(TimeProvider.System));
            configure(builder);
        });
        await app.StartAsync();
        return new ConfiguredServer(dataDir, init, app);
    }

    public HttpClient CreateClient(string? apiKey = null) => TestServer.CreateClient(BaseUrl, Init.CertFingerprint, apiKey);

    public ValueTask<string> CreateInstanceKeyAsync(params string[] scopes) => InstanceKeys.CreateAsync(App, scopes);

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind is harmless.
        }
    }
}

/// <summary>
/// Instance-wide ("*") API keys, such as a Prometheus server's. The API issues keys in the caller's project only, so
/// tests issue them the way <c>bulwark init</c> issues the admin key: through <see cref="ApiKeyService"/>.
/// </summary>
internal static class InstanceKeys
{
    public static async ValueTask<string> CreateAsync(WebApplication app, IReadOnlyCollection<string> scopes)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<ApiKeyService>()
            .CreateAsync(ProjectIds.AllProjects, "scraper", scopes, null, "test", null);
        return created.Plaintext;
    }
}

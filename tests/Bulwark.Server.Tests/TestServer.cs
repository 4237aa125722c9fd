using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bulwark.Client.Contracts;
using Bulwark.Server.Initialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Server.Tests;

/// <summary>
/// A real Bulwark server on real Kestrel HTTPS, 127.0.0.1, an ephemeral port, over a freshly initialised temporary
/// data directory. Clients trust exactly the certificate <c>init</c> generated (by SHA-256 fingerprint).
/// </summary>
internal sealed class TestServer : IAsyncDisposable
{
    private TestServer(string dataDir, InitResult init, WebApplication app, FakeTimeProvider time)
    {
        DataDir = dataDir;
        Init = init;
        App = app;
        Time = time;
        BaseUrl = BulwarkServer.BoundUrl(app);
    }

    public string DataDir { get; }
    public InitResult Init { get; }
    public WebApplication App { get; }
    public FakeTimeProvider Time { get; }
    public Uri BaseUrl { get; }
    public string AdminKey => Init.AdminKey;

    /// <param name="configure">Runs after the test defaults: e.g. to capture log output.</param>
    public static async Task<TestServer> StartAsync(IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var dataDir = NewDataDir();
        var init = await InitAsync(dataDir, time);
        var app = Build(dataDir, time, settings, configure);
        await app.StartAsync();
        return new TestServer(dataDir, init, app, time);
    }

    public static string NewDataDir() => Path.Combine(Path.GetTempPath(), "bulwark-server-tests", Guid.NewGuid().ToString("N"));

    public static async Task<InitResult> InitAsync(string dataDir, TimeProvider time)
    {
        var outcome = await DataDirectoryInitializer.InitializeAsync(dataDir, new InitOptions(Time: time));
        Assert.True(outcome.Succeeded, outcome.Failure?.Detail);
        return outcome.Value;
    }

    public static WebApplication Build(string dataDir, TimeProvider time, IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null) =>
        BulwarkServer.Build(["--data-dir", dataDir, "--port", "0"], builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);

            // Deterministic by default: the start-up re-verification would quarantine the versions that tests tamper with.
            // The incident workers run on the fake clock; tests drive them with RunOnceAsync instead of racing them.
            // Most tests train and promote with the one admin key; four eyes is switched on by the tests that attack it
            // (Registry/PromotionWorkflowTests) and stays on by default in the product.
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Bulwark:Registry:ReverifyOnStart"] = "false",
                ["Bulwark:Registry:RequireFourEyes"] = "false",
                ["Bulwark:Monitoring:ScheduledEvaluation"] = "false",
                ["Bulwark:Keys:ScheduledRotation"] = "false",
                ["Bulwark:Privacy:ScheduledPurge"] = "false",
                ["Bulwark:Incidents:DetectionInterval"] = "30.00:00:00",
                ["Bulwark:Incidents:DeadlineCheckInterval"] = "30.00:00:00",
                ["Bulwark:Incidents:ContainmentSyncInterval"] = "30.00:00:00",

                // FakeTimeProvider.Advance fires every period it skips: a test that moves the clock days ahead must not
                // sign a checkpoint for each five minutes of it.
                ["Bulwark:Audit:CheckpointInterval"] = "1.00:00:00",
            });
            if (settings is not null)
            {
                builder.Configuration.AddInMemoryCollection(settings);
            }

            builder.Services.Replace(ServiceDescriptor.Singleton(time));
            configure?.Invoke(builder);
        });

    public HttpClient CreateClient(string? apiKey = null) => CreateClient(BaseUrl, Init.CertFingerprint, apiKey);

    /// <summary>True only for the certificate with this SHA-256 fingerprint (colon-separated hex, as init prints it).</summary>
    public static bool IsCertificate(X509Certificate? certificate, string fingerprint) =>
        certificate is not null
        && string.Equals(Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData())), fingerprint.Replace(":", "", StringComparison.Ordinal), StringComparison.Ordinal);

    public static HttpClient CreateClient(Uri baseUrl, string fingerprint, string? apiKey = null)
    {
        var handler = new SocketsHttpHandler
        {
            // Oversized-body tests send "Expect: 100-continue" so the server can refuse before the body is sent; on a
            // loaded machine the default 1 s wait can elapse, the client starts sending, and the server's close then
            // surfaces as a socket error instead of the 413 under test.
            Expect100ContinueTimeout = TimeSpan.FromSeconds(30),
            SslOptions = new SslClientAuthenticationOptions
            {
                // Trust exactly this instance's certificate, nothing else.
                RemoteCertificateValidationCallback = (_, certificate, _, _) => IsCertificate(certificate, fingerprint),
            },
        };
        var client = new HttpClient(handler) { BaseAddress = baseUrl };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", apiKey);
        }

        return client;
    }

    /// <summary>
    /// A client whose connections come from <paramref name="source"/>, another loopback address (127.0.0.0/8 is all
    /// loopback on Linux): the server sees a different client network without any real network.
    /// </summary>
    public HttpClient CreateClientFrom(System.Net.IPAddress source, string? apiKey = null)
    {
        var fingerprint = Init.CertFingerprint;
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, certificate, _, _) => IsCertificate(certificate, fingerprint) },
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(source.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new System.Net.IPEndPoint(source, 0));
                    await socket.ConnectAsync(System.Net.IPAddress.Loopback, context.DnsEndPoint.Port, cancellationToken);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { BaseAddress = BaseUrl };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", apiKey);
        }

        return client;
    }

    public async Task<CreatedApiKeyInfo> CreateKeyAsync(IReadOnlyList<string> scopes, DateTimeOffset? expiresAt = null, string name = "test")
    {
        using var admin = CreateClient(AdminKey);
        var response = await admin.PostAsJsonAsync("/api/v1/keys", new CreateApiKeyRequest(name, scopes, expiresAt));
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<CreatedApiKeyInfo>())!;
    }

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

/// <summary>One server shared by the tests that do not need their own configuration.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    internal TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}

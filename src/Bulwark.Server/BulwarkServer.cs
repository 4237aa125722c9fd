using System.Security.Cryptography.X509Certificates;
using Bulwark.Core;
using Bulwark.Core.Access;
using Bulwark.Core.Crypto;
using Bulwark.Core.Identity;
using Bulwark.Core.Registry;
using Bulwark.Server.Access;
using Bulwark.Server.Audit;
using Bulwark.Server.BreakGlass;
using Bulwark.Server.Compliance;
using Bulwark.Server.Crypto;
using Bulwark.Server.Datasets;
using Bulwark.Server.Health;
using Bulwark.Server.Hosting;
using Bulwark.Server.Identity;
using Bulwark.Server.Incidents;
using Bulwark.Server.Keys;
using Bulwark.Server.Monitoring;
using Bulwark.Server.Privacy;
using Bulwark.Server.Projects;
using Bulwark.Server.Registry;
using Bulwark.Server.Serving;
using Bulwark.Server.Telemetry;
using Bulwark.Server.Training;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Bulwark.Server;

/// <summary>
/// The HTTPS API host. A table of contents: configuration, Core, the request pipeline, then one <c>MapX</c> per feature.
/// Used by <c>bulwark serve</c> / <c>bulwark demo</c> and by the server tests.
/// </summary>
internal static partial class BulwarkServer
{
    /// <summary>
    /// Builds a ready-to-run server. Fails with <see cref="SecurityConfigurationException"/> when the configuration is
    /// weak or incomplete (missing certificate, master key readable by others, public bind without opt-in...).
    /// </summary>
    /// <param name="args">Command-line configuration: <c>--data-dir D</c>, <c>--port N</c>, <c>--address A</c>, <c>--config F</c>, or any <c>--Bulwark:Key=value</c>.</param>
    /// <param name="configure">Runs last, before the app is built: tests and the CLI add configuration or services here.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        ServerConfiguration.Apply(builder.Configuration, args);
        builder.Logging.AddBulwarkLogging();

        builder.Services.AddBulwarkCore(builder.Configuration);
        builder.AddBulwarkHosting();

        configure?.Invoke(builder);
        var app = BuildChecked(builder);

        app.UseBulwarkPipeline();
        app.MapHealth();
        app.MapTokens();
        app.MapAuth();
        app.MapUsers();
        app.MapClients();
        app.MapProjects();
        app.MapPolicies();
        app.MapRoles();
        app.MapKeys();
        app.MapAudit();
        app.MapIncidents();
        app.MapContainment();
        app.MapKeyRing();
        app.MapDatasets();
        app.MapTraining();
        app.MapRegistry();
        app.MapPromotion();
        app.MapChallengers();
        app.MapMonitoring();
        app.MapPrivacy();
        app.MapModelArtifacts();
        app.MapServing();
        app.MapTelemetry();
        app.MapBreakGlass();
        app.MapCompliance();
        return app;
    }

    /// <summary>Builds the app and resolves everything that can be weak or missing, so a bad configuration fails before listening.</summary>
    private static WebApplication BuildChecked(WebApplicationBuilder builder)
    {
        WebApplication? app = null;
        try
        {
            app = builder.Build();
            _ = app.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
            _ = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
            _ = app.Services.GetRequiredService<IOptions<TlsOptions>>().Value;
            _ = app.Services.GetRequiredService<IOptions<RateLimitOptions>>().Value;
            _ = app.Services.GetRequiredService<IOptions<Core.Identity.Tokens.TokenOptions>>().Value;
            _ = app.Services.GetRequiredService<IOptions<RegistryOptions>>().Value;
            _ = app.Services.GetRequiredService<IOptions<SignInOptions>>().Value;
            _ = app.Services.GetRequiredService<IOptions<Core.BreakGlass.BreakGlassOptions>>().Value;
            _ = app.Services.GetRequiredService<KeyRing>();
            _ = app.Services.GetRequiredService<X509Certificate2>();
            if (!Core.Identity.Passwords.PasswordText.IsNormalizationAvailable)
            {
                // Without Unicode normalisation the same password typed two ways would hash differently, and look-alike
                // logins and blocklisted passwords would slip through (NIST SP 800-63B §3.1.1.2 asks for NFKC).
                throw new SecurityConfigurationException("Unicode normalisation is unavailable: install ICU (Debian: apt-get install libicu72).");
            }

            Migrations.ApplyAsync(app.Services).GetAwaiter().GetResult();

            // A tampered or undecryptable signing key must stop startup, not fail the first registration.
            app.Services.GetRequiredService<ManifestSigner>().InitializeAsync().GetAwaiter().GetResult();
            app.Services.GetRequiredService<SigningKeyStore>().InitializeAsync().GetAwaiter().GetResult();
            app.Services.GetRequiredService<Core.Audit.AuditKeyStore>().InitializeAsync().GetAwaiter().GetResult();
            app.Services.GetRequiredService<RevocationList>().SyncAsync().GetAwaiter().GetResult();
            app.Services.GetRequiredService<RoleRegistry>().ReloadAsync().GetAwaiter().GetResult();
            app.Services.GetRequiredService<PolicyStore>().RefreshAsync().GetAwaiter().GetResult();
            app.Services.GetRequiredService<Core.Incidents.Containment.ContainmentState>().SyncAsync().GetAwaiter().GetResult();

            // Once started, not now: Bulwark's meter must come into being after the metrics pipeline listens, or another
            // host in the same process (the tests run many) disposing its meter of the same name takes this one's series.
            var started = app.Services;
            app.Lifetime.ApplicationStarted.Register(() => Core.Incidents.OpenIncidentsGauge.Register(started));
            app.Lifetime.ApplicationStarted.Register(() => Core.Monitoring.DriftGauge.Register(started));

            // An unreachable identity provider must not stop Bulwark: its tokens are refused until its keys load.
            foreach (var issuer in app.Services.GetRequiredService<Core.Identity.Tokens.ExternalKeySources>().LoadAsync().GetAwaiter().GetResult())
            {
                LogExternalKeysUnavailable(app.Logger, issuer);
            }
            return app;
        }
        catch (OptionsValidationException ex)
        {
            (app as IDisposable)?.Dispose();
            throw StartupFailure.From(ex);
        }
        catch
        {
            (app as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>The URL Kestrel actually bound (the real port when configured with port 0). Call after StartAsync.</summary>
    public static Uri BoundUrl(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault() ?? throw new InvalidOperationException("The server is not started.");
        return new Uri(first);
    }

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "The keys of external issuer {Issuer} could not be loaded; its tokens are refused until they can be")]
    private static partial void LogExternalKeysUnavailable(ILogger logger, string issuer);
}

using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;
using Bulwark.Core.Crypto;
using Bulwark.Core.Serving;
using Bulwark.Server.Audit;
using Bulwark.Server.Authentication;
using Bulwark.Server.Health;
using Bulwark.Server.Telemetry;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Bulwark.Server.Hosting;

/// <summary>The HTTPS host around the features: options, TLS, problem details, authentication, rate limits, pipeline.</summary>
internal static class HostingSetup
{
    public static WebApplicationBuilder AddBulwarkHosting(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ServerOptions>().Bind(builder.Configuration.GetSection(ServerOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ServerOptions>, ServerOptionsValidator>();
        builder.Services.AddOptions<TlsOptions>().Bind(builder.Configuration.GetSection(TlsOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TlsOptions>, TlsOptionsValidator>();
        builder.Services.AddOptions<RateLimitOptions>().Bind(builder.Configuration.GetSection(RateLimitOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.Customize);
        builder.Services.AddExceptionHandler<ExceptionToProblemHandler>();
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true); // binding errors reach the handler above
        builder.Services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddBulwarkAuthorization();
        builder.Services.AddSingleton<BearerTokenAuthenticator>();
        builder.Services.AddSingleton<ClientCertificateAuthenticator>();
        builder.Services.AddSingleton<AccessEvaluator>();
        builder.Services.AddHostedService<RevocationSync>();
        builder.Services.AddBulwarkRateLimiting();
        builder.Services.AddSingleton<AuthFailureLimiter>();
        builder.Services.AddSingleton(sp => LoadCertificate(sp));
        builder.Services.AddHostedService<ServerStartedAudit>();
        builder.Services.AddBulwarkHealthChecks();
        builder.AddBulwarkTelemetry();
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var services = kestrel.ApplicationServices;
            KestrelSetup.Configure(
                kestrel,
                services.GetRequiredService<IOptions<ServerOptions>>().Value,
                services.GetRequiredService<IOptions<TlsOptions>>().Value,
                services.GetRequiredService<X509Certificate2>(),
                services.GetRequiredService<IOptions<ServingOptions>>().Value.MaxBodyBytes);
        });
        return builder;
    }

    /// <summary>
    /// Order matters: headers on every response (errors included), then errors as problem details, the host allow-list,
    /// routing, the request envelope (body cap, media type), the failed-authentication throttle (before any key lookup),
    /// authentication, rate limiting by the authenticated key, and authorization last.
    /// </summary>
    public static WebApplication UseBulwarkPipeline(this WebApplication app)
    {
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.Use(DiscardHeadBodies);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<HostAllowListMiddleware>();
        app.UseRouting();
        app.UseMiddleware<Incidents.NetworkBlockMiddleware>();
        app.UseAuditContextBeforeAuthentication();
        app.UseMiddleware<RequestEnvelopeMiddleware>();
        app.UseMiddleware<AuthFailureThrottleMiddleware>();
        app.UseAuthentication();
        app.UseAuditContextAfterAuthentication();
        app.UseMiddleware<Incidents.LockdownMiddleware>();
        app.UseRateLimiter();
        app.UseMiddleware<ProjectResolutionMiddleware>();
        app.UseMiddleware<BreakGlass.BreakGlassMiddleware>();
        app.UseAuthorization();
        return app;
    }

    // A HEAD response carries headers only (RFC 9110 §9.3.2). Error pages written for HEAD (405, 401 problem details)
    // would otherwise push body bytes onto an HTTP/2 stream that must not have any, and the client sees a stream reset.
    private static Task DiscardHeadBodies(HttpContext context, RequestDelegate next)
    {
        if (HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.Body = Stream.Null;
        }

        return next(context);
    }

    internal static void ConfigureJson(JsonSerializerOptions json)
    {
        // Strict input: unknown or duplicate members, numbers in strings and named literals ("NaN") are rejected.
        json.NumberHandling = JsonNumberHandling.Strict;
        json.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        json.AllowDuplicateProperties = false;
        json.RespectNullableAnnotations = true;
        json.RespectRequiredConstructorParameters = true;
        json.MaxDepth = 32;
    }

    private static X509Certificate2 LoadCertificate(IServiceProvider services)
    {
        var dataDir = services.GetRequiredService<StorageOptions>().DataDir;
        var server = services.GetRequiredService<IOptions<ServerOptions>>().Value;
        return TlsCertificates.Load(server.ResolveCertificatePath(dataDir), server.ResolveKeyPath(dataDir));
    }
}

using System.Net;
using Bulwark.Server.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Bulwark.Server.Tests.Hosting;

[Collection(ServerCollection.Name)]
public sealed class RouteInventoryTests(ServerFixture fixture)
{
    /// <summary>
    /// The only anonymous routes: health probes, the public half of the token issuer (JWKS and metadata), and sign-in,
    /// whose credentials travel in the body.
    /// </summary>
    private static readonly string[] AnonymousByDesign =
    [
        "/v2/health/live", "/v2/health/ready",
        "/.well-known/jwks.json", "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server",
        "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout", "/oauth/token",
    ];

    /// <summary>Endpoints that declare neither a permission nor anonymous access, and anonymous ones outside /v2/health.</summary>
    internal static List<string> Violations(IEndpointRouteBuilder app)
    {
        var violations = new List<string>();
        foreach (var endpoint in app.DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var route = endpoint.RoutePattern.RawText ?? endpoint.DisplayName ?? "?";
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var permission = endpoint.Metadata.GetMetadata<PermissionMetadata>();
            if (anonymous && !AnonymousByDesign.Contains(route))
            {
                violations.Add($"{route} is anonymous");
            }
            else if (!anonymous && permission is null)
            {
                violations.Add($"{route} declares no permission");
            }
        }

        return violations;
    }

    [Theory]
    [InlineData("ImportDataset")]
    [InlineData("ImportModelVersion")]
    public void InMemoryUploadEndpoints_CarryTheImportsConcurrencyPolicy(string endpointName)
    {
        var endpoint = ((IEndpointRouteBuilder)fixture.Server.App).DataSources.SelectMany(s => s.Endpoints)
            .Single(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == endpointName);

        var policy = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.RateLimiting.EnableRateLimitingAttribute>();
        Assert.NotNull(policy);
        Assert.Equal(Bulwark.Server.Hosting.RateLimiting.ImportsPolicy, policy.PolicyName);
    }

    [Fact]
    public void Endpoints_All_DeclareAPermissionOrAreHealth()
    {
        var app = fixture.Server.App;
        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>().ToList();
        Assert.NotEmpty(endpoints);
        Assert.Empty(Violations(app));
        var anonymous = endpoints.Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null).Select(e => e.RoutePattern.RawText).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(AnonymousByDesign.Order(StringComparer.Ordinal), anonymous);
    }

    [Fact]
    public async Task Inventory_EndpointWithoutPermission_IsReportedAndDenied()
    {
        var dataDir = TestServer.NewDataDir();
        var init = await TestServer.InitAsync(dataDir, TimeProvider.System);
        var app = TestServer.Build(dataDir, TimeProvider.System);
        app.MapGet("/api/v1/forgotten", () => "secret");
        Assert.Contains("/api/v1/forgotten declares no permission", Violations(app));
        await app.StartAsync();
        try
        {
            // The fallback policy denies the forgotten endpoint even to the admin.
            using var anonymousClient = TestServer.CreateClient(BulwarkServer.BoundUrl(app), init.CertFingerprint);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymousClient.GetAsync("/api/v1/forgotten")).StatusCode);
            using var adminClient = TestServer.CreateClient(BulwarkServer.BoundUrl(app), init.CertFingerprint, init.AdminKey);
            Assert.Equal(HttpStatusCode.Forbidden, (await adminClient.GetAsync("/api/v1/forgotten")).StatusCode);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }
}

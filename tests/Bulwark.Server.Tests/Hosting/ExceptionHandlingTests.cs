using System.Net;
using Bulwark.Core.Identity;
using Bulwark.Server.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;

namespace Bulwark.Server.Tests.Hosting;

public sealed class ExceptionHandlingTests
{
    [Fact]
    public async Task UnhandledException_Is500ProblemWithoutDetails()
    {
        var dataDir = TestServer.NewDataDir();
        var init = await TestServer.InitAsync(dataDir, TimeProvider.System);
        var app = TestServer.Build(dataDir, TimeProvider.System);
        app.MapGet("/api/v1/boom", string () => throw new InvalidOperationException("secret-internal-state")).RequirePermission(Permissions.Admin);
        await app.StartAsync();
        try
        {
            using var client = TestServer.CreateClient(BulwarkServer.BoundUrl(app), init.CertFingerprint, init.AdminKey);
            var response = await client.GetAsync("/api/v1/boom");
            var body = await response.Content.ReadAsStringAsync();
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.InternalServerError, "server.internal-error");
            Assert.DoesNotContain("secret-internal-state", body, StringComparison.Ordinal);
            Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
            SecurityHeadersTests.AssertSecurityHeaders(response);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }
}

using System.Net;
using System.Net.Http.Json;
using Bulwark.Client.Contracts;
using Microsoft.Data.Sqlite;

namespace Bulwark.Server.Tests.Audit;

public sealed class AuditEndpointsTests
{
    [Fact]
    public async Task Verify_AfterActivity_IsValid_ThenEditedRow_NamesFirstBrokenSequence()
    {
        await using var server = await TestServer.StartAsync();
        await server.CreateKeyAsync(["models:read"], name: "one");
        await server.CreateKeyAsync(["models:read"], name: "two");
        using var admin = server.CreateClient(server.AdminKey);

        var ok = await (await admin.PostAsync("/api/v1/audit/verify", null)).Content.ReadFromJsonAsync<AuditVerifyResult>();
        Assert.True(ok!.Valid, ok.Reason);
        Assert.True(ok.EventsVerified >= 4);
        Assert.Null(ok.FirstBrokenSequence);

        var builder = new SqliteConnectionStringBuilder { DataSource = Path.Combine(server.DataDir, "bulwark.db"), Pooling = false };
        await using (var connection = new SqliteConnection(builder.ToString()))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """UPDATE audit_events SET details = '{"name":"innocent"}' WHERE sequence = 3""";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var response = await admin.PostAsync("/api/v1/audit/verify", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var broken = await response.Content.ReadFromJsonAsync<AuditVerifyResult>();
        Assert.False(broken!.Valid);
        Assert.Equal(3, broken.FirstBrokenSequence);
        Assert.Equal(2, broken.EventsVerified);
    }
}

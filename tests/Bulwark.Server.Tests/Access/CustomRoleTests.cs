using System.Net;
using System.Net.Http.Json;
using Bulwark.Client.Contracts;
using Bulwark.Server.Tests.Identity;

namespace Bulwark.Server.Tests.Access;

public sealed class CustomRoleTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private string _admin = "";

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _admin = await Users.SignedInWithMfaAsync(_server, "root", [new RoleGrant("*", "admin")]);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<HttpResponseMessage> DefineAsync(string token, DefineRoleRequest request)
    {
        using var client = Users.Bearer(_server, token);
        return await client.PostAsJsonAsync("/api/v1/roles", request);
    }

    [Fact]
    public async Task CustomRole_GrantsExactlyItsPermissions()
    {
        Assert.Equal(HttpStatusCode.Created, (await DefineAsync(_admin, new DefineRoleRequest("model-reviewer", ["models:read", "datasets:read"]))).StatusCode);
        await Users.CreateAsync(_server, "rita", [new RoleGrant("default", "model-reviewer")]);
        using var rita = Users.Bearer(_server, (await Users.LoginAsync(_server, "rita")).AccessToken);

        Assert.Equal(HttpStatusCode.OK, (await rita.GetAsync("/api/v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await rita.PostAsJsonAsync("/api/v1/models/m/train", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await rita.GetAsync("/api/v1/keys")).StatusCode);
    }

    [Fact]
    public async Task CustomRoleWithAdministrativePermissions_RequiresMfa()
    {
        var created = await DefineAsync(_admin, new DefineRoleRequest("key-custodian", ["keys:manage"]));
        Assert.True((await created.Content.ReadFromJsonAsync<RoleInfo>())!.RequiresMfa);
        await Users.CreateAsync(_server, "kim", [new RoleGrant("default", "key-custodian")]);
        using var kim = Users.Bearer(_server, (await Users.LoginAsync(_server, "kim")).AccessToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await kim.GetAsync("/api/v1/keys")).StatusCode);
    }

    [Theory]
    [InlineData("admin", "models:read")]
    [InlineData("Bad Name", "models:read")]
    [InlineData("superuser", "admin")]
    [InlineData("typo", "models:reed")]
    public async Task DefineRole_Invalid_400(string name, string permission) =>
        await ProblemAssert.IsProblemAsync(await DefineAsync(_admin, new DefineRoleRequest(name, [permission])), HttpStatusCode.BadRequest, "role.invalid");

    [Fact]
    public async Task SecurityOfficer_CannotPackPermissionsItLacksIntoARole()
    {
        var officer = await Users.SignedInWithMfaAsync(_server, "sam", [new RoleGrant("*", "security-officer")]);
        await ProblemAssert.IsProblemAsync(await DefineAsync(officer, new DefineRoleRequest("trainer", ["models:train"])), HttpStatusCode.Forbidden, "auth.forbidden");
    }

    [Fact]
    public async Task DefineRole_WithApiKey_NeedsStepUp()
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        var response = await admin.PostAsJsonAsync("/api/v1/roles", new DefineRoleRequest("x-role", ["models:read"]));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "auth.step-up-required");
    }
}

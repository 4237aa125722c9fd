using System.Net;
using System.Net.Http.Json;
using System.Text;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Storage;
using Bulwark.Server.Authentication;
using Bulwark.Server.Tests.Datasets;
using Bulwark.Server.Tests.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Projects;

/// <summary>
/// The project PAN policy decides whether card numbers are refused or kept truncated or tokenised: loosening it is an
/// instance administrator's act with a second factor, audited, and imports follow it at once.
/// </summary>
public sealed class PanPolicyEndpointTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<string> PolicyOfAsync(string project)
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        var projects = await admin.GetFromJsonAsync<ProjectInfo[]>("/api/v1/projects");
        return projects!.Single(p => p.Id == project).PanPolicy;
    }

    private static Task<HttpResponseMessage> ImportCardsAsync(HttpClient client) =>
        client.PostAsync("/api/v1/datasets?name=cards&classification=internal&label=label",
            new StringContent(PanPolicyFixture.Csv(PanPolicyFixture.NewCanary()), Encoding.UTF8, "text/csv"));

    [Fact]
    public async Task SetPanPolicy_WithAnApiKey_Is403StepUpRequiredAndUnchanged()
    {
        using var admin = _server.CreateClient(_server.AdminKey);

        var response = await admin.PutAsJsonAsync("/api/v1/projects/default/pan-policy", new SetPanPolicyRequest("truncate"));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, ErrorCodes.StepUpRequired);
        Assert.Equal("reject", await PolicyOfAsync("default"));
        await ProblemAssert.IsProblemAsync(await ImportCardsAsync(admin), HttpStatusCode.UnprocessableEntity, ErrorCodes.DatasetPanDetected);
    }

    [Fact]
    public async Task SetPanPolicy_ProjectAdministrator_IsForbidden()
    {
        // An administrator of the project itself (a key bound to it) still cannot loosen its card-number policy.
        using var instanceAdmin = _server.CreateClient(_server.AdminKey);
        instanceAdmin.DefaultRequestHeaders.Add(ProjectResolutionMiddleware.ProjectHeader, "default");
        var created = await instanceAdmin.PostAsJsonAsync("/api/v1/keys", new CreateApiKeyRequest("project-admin", ["admin"]));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        using var projectAdmin = _server.CreateClient((await created.Content.ReadFromJsonAsync<CreatedApiKeyInfo>())!.Key);

        var response = await projectAdmin.PutAsJsonAsync("/api/v1/projects/default/pan-policy", new SetPanPolicyRequest("tokenise"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("reject", await PolicyOfAsync("default"));
    }

    [Fact]
    public async Task SetPanPolicy_AdministratorWithSecondFactor_IsAuditedAndImportsFollowIt()
    {
        using var root = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "root", [new RoleGrant("*", "admin")]));

        var changed = await root.PutAsJsonAsync("/api/v1/projects/default/pan-policy", new SetPanPolicyRequest("truncate"));

        Assert.True(changed.StatusCode == HttpStatusCode.OK, await changed.Content.ReadAsStringAsync());
        Assert.Equal("truncate", (await changed.Content.ReadFromJsonAsync<ProjectInfo>())!.PanPolicy);
        using var admin = _server.CreateClient(_server.AdminKey);
        var imported = await ImportCardsAsync(admin);
        Assert.True(imported.StatusCode == HttpStatusCode.Created, await imported.Content.ReadAsStringAsync());
        Assert.Equal("truncated", (await imported.Content.ReadFromJsonAsync<DatasetInfo>())!.Columns.Single(c => c.Name == "card").Protection);

        var back = await root.PutAsJsonAsync("/api/v1/projects/default/pan-policy", new SetPanPolicyRequest("reject"));
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        await ProblemAssert.IsProblemAsync(await ImportCardsAsync(admin), HttpStatusCode.UnprocessableEntity, ErrorCodes.DatasetPanDetected);

        await using var scope = _server.App.Services.CreateAsyncScope();
        var events = await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().AuditEvents.IgnoreQueryFilters()
            .Where(e => e.Code == AuditCodes.ProjectPanPolicyChanged).OrderBy(e => e.Sequence).ToListAsync();
        Assert.Equal(2, events.Count);
        Assert.StartsWith("user:", events[0].Principal, StringComparison.Ordinal);
        Assert.Contains("\"from\":\"reject\"", events[0].Details, StringComparison.Ordinal);
        Assert.Contains("\"to\":\"truncate\"", events[0].Details, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("default", "plaintext", HttpStatusCode.BadRequest, "project.invalid")]
    [InlineData("default", "", HttpStatusCode.BadRequest, "project.invalid")]
    [InlineData("no-such-project", "truncate", HttpStatusCode.NotFound, "project.not-found")]
    public async Task SetPanPolicy_UnknownPolicyOrProject_IsRefused(string project, string policy, HttpStatusCode status, string code)
    {
        using var root = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "root", [new RoleGrant("*", "admin")]));

        var response = await root.PutAsJsonAsync($"/api/v1/projects/{project}/pan-policy", new SetPanPolicyRequest(policy));

        await ProblemAssert.IsProblemAsync(response, status, code);
        Assert.Equal("reject", await PolicyOfAsync("default"));
    }

    [Fact]
    public async Task CreateProject_PanPolicy_IsKeptAndAnUnknownOneRefused()
    {
        using var admin = _server.CreateClient(_server.AdminKey);

        var created = await admin.PostAsJsonAsync("/api/v1/projects", new CreateProjectRequest("vault", PanPolicy: "tokenise"));
        var refused = await admin.PostAsJsonAsync("/api/v1/projects", new CreateProjectRequest("vault-two", PanPolicy: "store-in-clear"));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("tokenise", await PolicyOfAsync("vault"));
        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.BadRequest, "project.invalid");
        Assert.Equal("reject", await PolicyOfAsync("default"));
    }
}

using System.Net;
using System.Net.Http.Json;
using Bulwark.Client.Contracts;
using Bulwark.Server.Tests.Identity;

namespace Bulwark.Server.Tests.Incidents;

/// <summary>
/// The owner of an incident is a person's login (or their principal id): it is shown in terminals, consoles and evidence
/// bundles, so anything else (control characters, markup, bidi overrides, megabytes) is refused with a 400.
/// </summary>
public sealed class IncidentOwnerTests(ServerFixture fixture) : IClassFixture<ServerFixture>, IAsyncLifetime
{
    private HttpClient _officer = null!;

    public async Task InitializeAsync()
    {
        var login = "owner-officer-" + Guid.NewGuid().ToString("N")[..8];
        _officer = Users.Bearer(fixture.Server, await Users.SignedInWithMfaAsync(fixture.Server, login, [new RoleGrant("*", "security-officer")]));
    }

    public Task DisposeAsync()
    {
        _officer.Dispose();
        return Task.CompletedTask;
    }

    public static TheoryData<string> BadOwners() => new()
    {
        "",
        " ",
        "a",
        new string('a', 129),
        "alice\nbob",
        "alice\u001b[31m",
        "\u202Eecila",
        "<script>alert(1)</script>",
        "alice bob",
        "user:not-a-guid",
        "key:abc",
    };

    [Theory]
    [MemberData(nameof(BadOwners))]
    public async Task Open_And_Update_WithAnOwnerThatIsNoLoginOrPrincipal_Are400(string owner)
    {
        var open = await _officer.PostAsJsonAsync("/api/v1/incidents", new OpenIncidentRequest("Suspicious activity", "high", "other", Owner: owner));
        await ProblemAssert.IsProblemAsync(open, HttpStatusCode.BadRequest, ErrorCodes.IncidentInvalid);

        var created = await _officer.PostAsJsonAsync("/api/v1/incidents", new OpenIncidentRequest("Suspicious activity", "high", "other"));
        var number = (await created.Content.ReadFromJsonAsync<IncidentInfo>())!.Incident.Number;
        var update = await _officer.PatchAsJsonAsync($"/api/v1/incidents/{number}", new UpdateIncidentRequest(Owner: owner));
        await ProblemAssert.IsProblemAsync(update, HttpStatusCode.BadRequest, ErrorCodes.IncidentInvalid);
        Assert.Null((await _officer.GetFromJsonAsync<IncidentInfo>($"/api/v1/incidents/{number}"))!.Incident.Owner);
    }

    [Fact]
    public async Task Open_WithALoginOrAPrincipalId_StoresTheCanonicalForm()
    {
        var id = Guid.NewGuid();
        var byLogin = await _officer.PostAsJsonAsync("/api/v1/incidents", new OpenIncidentRequest("Suspicious activity", "high", "other", Owner: "Alice.Ops"));
        Assert.True(byLogin.StatusCode == HttpStatusCode.Created, await byLogin.Content.ReadAsStringAsync());
        Assert.Equal("alice.ops", (await byLogin.Content.ReadFromJsonAsync<IncidentInfo>())!.Incident.Owner);

        var byId = await _officer.PostAsJsonAsync("/api/v1/incidents", new OpenIncidentRequest("Suspicious activity", "high", "other", Owner: "user:" + id.ToString("D").ToUpperInvariant()));
        Assert.True(byId.StatusCode == HttpStatusCode.Created, await byId.Content.ReadAsStringAsync());
        Assert.Equal("user:" + id.ToString("D"), (await byId.Content.ReadFromJsonAsync<IncidentInfo>())!.Incident.Owner);
    }
}

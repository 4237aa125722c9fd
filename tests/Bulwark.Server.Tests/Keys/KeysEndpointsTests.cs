using System.Net;
using System.Net.Http.Json;
using Bulwark.Client.Contracts;

namespace Bulwark.Server.Tests.Keys;

[Collection(ServerCollection.Name)]
public sealed class KeysEndpointsTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task CreateKey_Valid_ReturnsSecretOnceAndListNeverDoes()
    {
        var created = await Server.CreateKeyAsync(["models:read", "predict:fraud"], name: "reporting");
        Assert.StartsWith(created.Info.Prefix + "_", created.Key, StringComparison.Ordinal);
        Assert.Equal(["models:read", "predict:fraud"], created.Info.Scopes);
        Assert.Contains(created.Warnings, w => w.StartsWith("key has no expiry", StringComparison.Ordinal));

        using var admin = Server.CreateClient(Server.AdminKey);
        var listBody = await admin.GetStringAsync("/api/v1/keys");
        var secret = created.Key[(created.Info.Prefix.Length + 1)..];
        Assert.DoesNotContain(secret, listBody, StringComparison.Ordinal);
        Assert.DoesNotContain(Server.AdminKey[17..], listBody, StringComparison.Ordinal);
        Assert.DoesNotContain("hash", listBody, StringComparison.OrdinalIgnoreCase);
        var list = await admin.GetFromJsonAsync<ApiKeyInfo[]>("/api/v1/keys");
        Assert.Contains(list!, k => k.Prefix == created.Info.Prefix && k.Name == "reporting");
    }

    [Fact]
    public async Task CreateKey_WithExpiry_HasNoWarning()
    {
        var created = await Server.CreateKeyAsync(["models:read"], Server.Time.GetUtcNow().AddDays(30));
        Assert.Empty(created.Warnings);
    }

    [Theory]
    [InlineData("root")]
    [InlineData("predict:")]
    [InlineData("predict:../etc")]
    [InlineData("predict:UPPER")]
    [InlineData("admin ")]
    [InlineData("predict:fraud\n")]
    public async Task CreateKey_InvalidScope_Is400(string scope)
    {
        using var admin = Server.CreateClient(Server.AdminKey);
        var response = await admin.PostAsJsonAsync("/api/v1/keys", new CreateApiKeyRequest("bad", [scope]));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "key.scope-invalid");
    }

    [Fact]
    public async Task CreateKey_NoScopes_Is400()
    {
        using var admin = Server.CreateClient(Server.AdminKey);
        var response = await admin.PostAsJsonAsync("/api/v1/keys", new CreateApiKeyRequest("bad", []));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "key.scope-invalid");
    }

    [Theory]
    [InlineData("")]
    [InlineData("line\nbreak")]
    public async Task CreateKey_BadName_Is400(string name)
    {
        using var admin = Server.CreateClient(Server.AdminKey);
        var response = await admin.PostAsJsonAsync("/api/v1/keys", new CreateApiKeyRequest(name, ["admin"]));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "request.invalid");
    }

    [Fact]
    public async Task CreateKey_NameTooLong_Is400()
    {
        using var admin = Server.CreateClient(Server.AdminKey);
        var response = await admin.PostAsJsonAsync("/api/v1/keys", new CreateApiKeyRequest(new string('n', 129), ["admin"]));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "request.invalid");
    }

    [Fact]
    public async Task CreateKey_ExpiryInThePast_Is400()
    {
        using var admin = Server.CreateClient(Server.AdminKey);
        var response = await admin.PostAsJsonAsync("/api/v1/keys", new CreateApiKeyRequest("old", ["admin"], Server.Time.GetUtcNow().AddMinutes(-1)));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "request.invalid");
    }

    [Fact]
    public async Task RevokeKey_Unknown_Is404()
    {
        using var admin = Server.CreateClient(Server.AdminKey);
        await ProblemAssert.IsProblemAsync(await admin.DeleteAsync("/api/v1/keys/bwk_ffffffffffff"), HttpStatusCode.NotFound, "key.not-found");
    }
}

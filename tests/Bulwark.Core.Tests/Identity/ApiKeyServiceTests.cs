using Bulwark.Core.Identity;
using Bulwark.Core.Projects;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Identity;

public sealed class ApiKeyServiceTests
{
    private static async Task<CreatedApiKey> CreateAsync(CoreTestEnvironment env, string[] scopes, DateTimeOffset? expires = null)
    {
        await using var scope = env.Scope();
        return await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateAsync(ProjectIds.Default, "test", scopes, expires, "tester", "127.0.0.1");
    }

    private static async Task<ApiKeyAuthentication> AuthenticateAsync(CoreTestEnvironment env, string key)
    {
        await using var scope = env.Scope();
        return await scope.ServiceProvider.GetRequiredService<ApiKeyService>().AuthenticateAsync(key);
    }

    private static BulwarkPrincipal InDefault(ApiKeyAuthentication result) =>
        result.Identity!.ActIn(ProjectIds.Default, _ => new HashSet<string>())!;

    [Fact]
    public async Task AuthenticateAsync_IssuedKey_ReturnsPrincipalWithScopes()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var created = await CreateAsync(env, ["predict:fraud"]);

        var result = await AuthenticateAsync(env, created.Plaintext);

        Assert.NotNull(result.Identity);
        Assert.True(InDefault(result).Has("predict:fraud"));
        Assert.False(InDefault(result).Has("predict:other"));
        Assert.False(InDefault(result).Has(Permissions.Admin));
    }

    [Fact]
    public async Task CreateAsync_StoresOnlyAHash()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var created = await CreateAsync(env, ["admin"]);
        var secret = created.Plaintext[17..];

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var dbBytes = await File.ReadAllBytesAsync(Path.Combine(env.DataDir, "bulwark.db"));
        var walPath = Path.Combine(env.DataDir, "bulwark.db-wal");
        var walBytes = File.Exists(walPath) ? await File.ReadAllBytesAsync(walPath) : [];

        Assert.Equal(-1, dbBytes.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(secret)));
        Assert.Equal(-1, walBytes.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(secret)));
    }

    [Fact]
    public async Task AuthenticateAsync_WrongSecretRightPrefix_Fails()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var created = await CreateAsync(env, ["admin"]);
        var last = created.Plaintext[^1] == 'A' ? 'B' : 'A';

        var result = await AuthenticateAsync(env, created.Plaintext[..^1] + last);

        Assert.Null(result.Identity);
        Assert.Equal("invalid", result.FailureReason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("bwk_")]
    [InlineData("Bearer abc")]
    [InlineData("bwk_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("bwk_../../etc/pa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task AuthenticateAsync_UnknownOrMalformed_Fails(string presented)
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await CreateAsync(env, ["admin"]);

        var result = await AuthenticateAsync(env, presented);

        Assert.Null(result.Identity);
    }

    [Fact]
    public async Task AuthenticateAsync_RevokedKey_FailsOnTheNextRequest()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var created = await CreateAsync(env, ["admin"]);
        Assert.NotNull((await AuthenticateAsync(env, created.Plaintext)).Identity);

        await using (var scope = env.Scope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<ApiKeyService>().RevokeAsync(ProjectIds.Default, created.Key.Prefix, "tester", null));
        }

        var result = await AuthenticateAsync(env, created.Plaintext);
        Assert.Null(result.Identity);
        Assert.Equal("revoked", result.FailureReason);
    }

    [Fact]
    public async Task AuthenticateAsync_ExpiredKey_Fails()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var created = await CreateAsync(env, ["admin"], env.Time.GetUtcNow().AddHours(1));
        Assert.NotNull((await AuthenticateAsync(env, created.Plaintext)).Identity);

        env.Time.Advance(TimeSpan.FromHours(1));

        var result = await AuthenticateAsync(env, created.Plaintext);
        Assert.Null(result.Identity);
        Assert.Equal("expired", result.FailureReason);
    }

    [Fact]
    public async Task CreateAsync_WritesAuditEventWithoutSecret()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var created = await CreateAsync(env, ["admin"]);

        await using var scope = env.Scope();
        var events = await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().AuditEvents.ToListAsync();
        var e = Assert.Single(events);
        Assert.Equal("key.create", e.Action);
        Assert.DoesNotContain(created.Plaintext[17..], e.Details, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UPDATE api_keys SET Scopes = 'admin'")]
    [InlineData("UPDATE api_keys SET ExpiresAt = NULL")]
    [InlineData("UPDATE api_keys SET Prefix = 'bwk_000000000000'")]
    public async Task AuthenticateAsync_RowEditedInDatabase_FailsAsTampered(string sql)
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var created = await CreateAsync(env, ["predict:fraud"], env.Time.GetUtcNow().AddDays(1));

        Assert.Equal(1, await env.ExecuteSqlAsync(sql));
        var presented = sql.Contains("Prefix", StringComparison.Ordinal) ? "bwk_000000000000" + created.Plaintext[16..] : created.Plaintext;
        var result = await AuthenticateAsync(env, presented);

        Assert.Null(result.Identity);
        Assert.Equal("tampered", result.FailureReason);
    }

    [Fact]
    public async Task AuthenticateAsync_RevocationClearedInDatabase_StillFails()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var created = await CreateAsync(env, ["admin"]);
        await using (var scope = env.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<ApiKeyService>().RevokeAsync(ProjectIds.Default, created.Key.Prefix, "tester", null);
        }

        Assert.Equal(1, await env.ExecuteSqlAsync("UPDATE api_keys SET RevokedAt = NULL"));
        env.Time.Advance(TimeSpan.FromMinutes(1)); // past the in-process cache lifetime

        var result = await AuthenticateAsync(env, created.Plaintext);
        Assert.Null(result.Identity);
        Assert.Equal("tampered", result.FailureReason);
    }

    [Fact]
    public async Task AuthenticateAsync_TagCopiedFromAnotherKey_FailsAsTampered()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var admin = await CreateAsync(env, ["admin"]);
        var limited = await CreateAsync(env, ["predict:fraud"]);

        // Copy the admin row's scopes and tag onto the limited key: the tag binds id, prefix and hash too.
        Assert.Equal(1, await env.ExecuteSqlAsync(
            $"UPDATE api_keys SET Scopes = 'admin', IntegrityTag = (SELECT IntegrityTag FROM api_keys WHERE Prefix = '{admin.Key.Prefix}') WHERE Prefix = '{limited.Key.Prefix}'"));

        var result = await AuthenticateAsync(env, limited.Plaintext);
        Assert.Null(result.Identity);
        Assert.Equal("tampered", result.FailureReason);
        Assert.NotNull((await AuthenticateAsync(env, admin.Plaintext)).Identity);
    }

    [Theory]
    [InlineData("admin", true)]
    [InlineData("predict:fraud-v2", true)]
    [InlineData("predict:*", true)]
    [InlineData("predict:", false)]
    [InlineData("predict:../x", false)]
    [InlineData("predict:Fraud", false)]
    [InlineData("root", false)]
    [InlineData("admin ", false)]
    public void IsValidScope_Grammar(string scope, bool valid) => Assert.Equal(valid, Permissions.IsValidScope(scope));
}

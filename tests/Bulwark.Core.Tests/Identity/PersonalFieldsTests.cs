using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Datasets;
using Bulwark.Core.Identity;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Identity;

/// <summary>The blind index is keyed per instance; sealed fields refuse to open on another row; the backfill is idempotent.</summary>
public sealed class PersonalFieldsTests : IAsyncLifetime
{
    private CoreTestEnvironment _env = null!;

    public async Task InitializeAsync() => _env = await CoreTestEnvironment.CreateAsync();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task LoginIndex_IsKeyedAndNormalised_NotAnUnkeyedHash_AndDiffersBetweenInstances()
    {
        var fields = _env.Services.GetRequiredService<PersonalFields>();
        var index = fields.LoginIndex("alice@example.test");

        Assert.Equal(32, index.Length);
        Assert.Equal(index, fields.LoginIndex("ALICE@example.test"));
        Assert.Equal(index, fields.LoginIndex("ＡＬＩＣＥ@example.test"));
        Assert.NotEqual(index, fields.LoginIndex("alice2@example.test"));

        // An attacker with the file and a list of likely logins cannot recompute it without the key.
        Assert.NotEqual(SHA256.HashData(Encoding.UTF8.GetBytes("alice@example.test")), index);
        Assert.NotEqual(HMACSHA256.HashData(new byte[32], Encoding.UTF8.GetBytes("alice@example.test")), index);

        // Another instance (another key ring) indexes the same login differently: indexes do not correlate across databases.
        await using var other = await CoreTestEnvironment.CreateAsync();
        Assert.NotEqual(index, other.Services.GetRequiredService<PersonalFields>().LoginIndex("alice@example.test"));
    }

    [Fact]
    public void Open_SealedFieldFromAnotherRowOrColumn_ThrowsIntegrityFailure()
    {
        var fields = _env.Services.GetRequiredService<PersonalFields>();
        var alice = new User { Id = Guid.NewGuid(), Login = "alice", DisplayName = "Alice A" };
        var bob = new User { Id = Guid.NewGuid(), Login = "bob", DisplayName = "Bob B" };
        fields.Seal(alice);
        fields.Seal(bob);

        var copied = new User { Id = bob.Id, LoginSealed = alice.LoginSealed, LoginIndex = bob.LoginIndex, DisplayNameSealed = bob.DisplayNameSealed };
        Assert.Throws<PersonalFieldIntegrityException>(() => fields.Open(copied));
        Assert.Equal("", copied.Login);

        var crossed = new User { Id = alice.Id, LoginSealed = alice.DisplayNameSealed, LoginIndex = alice.LoginIndex, DisplayNameSealed = alice.LoginSealed };
        Assert.Throws<PersonalFieldIntegrityException>(() => fields.Open(crossed));

        var wrongIndex = new User { Id = alice.Id, LoginSealed = alice.LoginSealed, LoginIndex = bob.LoginIndex, DisplayNameSealed = alice.DisplayNameSealed };
        Assert.Throws<PersonalFieldIntegrityException>(() => fields.Open(wrongIndex));

        var intact = new User { Id = alice.Id, LoginSealed = alice.LoginSealed, LoginIndex = alice.LoginIndex, DisplayNameSealed = alice.DisplayNameSealed };
        fields.Open(intact);
        Assert.Equal(("alice", "Alice A"), (intact.Login, intact.DisplayName));
    }

    [Fact]
    public async Task Backfill_SealsPlaintextRows_OnceAndResumably()
    {
        await using (var scope = _env.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserService>();
            Assert.True((await users.CreateAsync(new UserService.NewUser("current", "Current User", "amber-lantern-orbit-quietly-57", DataClassification.Internal, "test", null))).Succeeded);
        }

        // Two rows as an older version wrote them: plaintext login and name, nothing sealed.
        foreach (var (id, login) in new[] { (Guid.NewGuid(), "legacy.one"), (Guid.NewGuid(), "legacy.two") })
        {
            await _env.ExecuteSqlAsync($"""
                INSERT INTO users (Id, Login, DisplayName, Status, Clearance, PasswordHash, PasswordHistory, PasswordChangedAt, FailedLogins, CreatedBy, CreatedAt)
                SELECT '{id.ToString().ToUpperInvariant()}', '{login}', 'Name of {login}', Status, Clearance, PasswordHash, '', PasswordChangedAt, 0, 'legacy', CreatedAt FROM users LIMIT 1
                """);
        }

        var contexts = _env.Services.GetRequiredService<IDbContextFactory<BulwarkDbContext>>();
        var fields = _env.Services.GetRequiredService<PersonalFields>();
        Assert.Equal(2, await PersonalFieldBackfill.RunAsync(contexts, fields));
        Assert.Equal(0, await PersonalFieldBackfill.RunAsync(contexts, fields));

        await using (var scope = _env.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserService>();
            Assert.Equal(["current", "legacy.one", "legacy.two"], (await users.ListAsync()).Select(u => u.Login));
            Assert.Equal("Name of legacy.two", (await users.FindAsync("LEGACY.TWO"))!.DisplayName);
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            Assert.Equal(0, await db.Users.CountAsync(u => u.LegacyLogin != null || u.LegacyDisplayName != null || u.LoginSealed == null));
        }
    }
}

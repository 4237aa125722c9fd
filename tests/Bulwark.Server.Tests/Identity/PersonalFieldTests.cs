using System.Net;
using System.Net.Http.Json;
using System.Text;
using Bulwark.Client.Contracts;
using Bulwark.Core.Identity;
using Bulwark.Core.Identity.Passwords;
using Bulwark.Server.Tests.Crypto;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Identity;

/// <summary>
/// Logins and display names are sealed in the database and found through a keyed blind index: attacked by reading the
/// raw file, by swapping sealed values between rows, by starting on rows an older version wrote in clear, and by
/// rotating the key ring under them.
/// </summary>
public sealed class PersonalFieldTests : IAsyncLifetime
{
    private const string CanaryLogin = "qx7canary.login@example.test";
    private const string CanaryName = "Zyxwvut Quokkabright";
    private TestServer _server = null!;
    private HttpClient _apiAdmin = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _apiAdmin = _server.CreateClient(_server.AdminKey);
    }

    public async Task DisposeAsync()
    {
        _apiAdmin.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Canary_EveryUserOperationWorks_AndNeitherLoginNorNameIsInTheFileOutsideTheAuditLedger()
    {
        using var admin = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "fieldadmin", [new RoleGrant("*", "admin")]));
        var created = await _apiAdmin.PostAsJsonAsync("/api/v1/users", new CreateUserRequest(CanaryLogin.ToUpperInvariant(), CanaryName, Users.StrongPassword, null, null));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _apiAdmin.PostAsJsonAsync("/api/v1/users", new CreateUserRequest(CanaryLogin, "Someone Else", Users.StrongPassword, null, null))).StatusCode);

        // Sign-in, lookup, listing, MFA enrol and reset, disable, enable: all by login, all through the blind index.
        var token = await Users.LoginAsync(_server, CanaryLogin);
        await Users.EnrolTotpAsync(_server, token.AccessToken);
        var info = (await _apiAdmin.GetFromJsonAsync<UserInfo>($"/api/v1/users/{CanaryLogin}"))!;
        Assert.Equal((CanaryLogin, CanaryName, true), (info.Login, info.DisplayName, info.MfaEnrolled));
        var listed = (await _apiAdmin.GetFromJsonAsync<UserInfo[]>("/api/v1/users"))!;
        Assert.Equal(listed.Select(u => u.Login).Order(StringComparer.Ordinal), listed.Select(u => u.Login));
        Assert.Contains(listed, u => u.Login == CanaryLogin && u.DisplayName == CanaryName);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/users/{CanaryLogin}/mfa/reset", null)).StatusCode);
        Assert.False((await _apiAdmin.GetFromJsonAsync<UserInfo>($"/api/v1/users/{CanaryLogin}"))!.MfaEnrolled);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/users/{CanaryLogin}/disable", null)).StatusCode);
        await ProblemAssert.IsProblemAsync(await Users.LoginResponseAsync(_server, CanaryLogin), HttpStatusCode.Unauthorized, "auth.login-failed");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/users/{CanaryLogin}/enable", null)).StatusCode);
        await Users.LoginAsync(_server, CanaryLogin);
        await ProblemAssert.IsProblemAsync(await Users.LoginResponseAsync(_server, "nobody-here"), HttpStatusCode.Unauthorized, "auth.login-failed");

        // The display name is nowhere in the file or its log, in either encoding.
        var database = Path.Combine(_server.DataDir, "bulwark.db");
        foreach (var file in new[] { database, database + "-wal" })
        {
            var bytes = ReadShared(file);
            Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(CanaryName)), $"{Path.GetFileName(file)} holds the display name (UTF-8)");
            Assert.False(Contains(bytes, Encoding.Unicode.GetBytes(CanaryName)), $"{Path.GetFileName(file)} holds the display name (UTF-16)");
        }

        // The login is in the audit ledger by design (the security record names accounts); nowhere else.
        var copy = CopyWithoutAuditLedger(database, out var withLedger);
        Assert.True(Contains(withLedger, Encoding.UTF8.GetBytes(CanaryLogin)), "the scan cannot see the login even in the ledger: it proves nothing");
        var rest = ReadShared(copy);
        Assert.False(Contains(rest, Encoding.UTF8.GetBytes(CanaryLogin)), "the database holds the login outside the audit ledger (UTF-8)");
        Assert.False(Contains(rest, Encoding.Unicode.GetBytes(CanaryLogin)), "the database holds the login outside the audit ledger (UTF-16)");
        Assert.False(Contains(rest, Encoding.UTF8.GetBytes(CanaryName)), "the database holds the display name");

        Assert.Equal(HttpStatusCode.NoContent, (await _apiAdmin.DeleteAsync($"/api/v1/users/{CanaryLogin}")).StatusCode);
        await ProblemAssert.IsProblemAsync(await _apiAdmin.GetAsync($"/api/v1/users/{CanaryLogin}"), HttpStatusCode.NotFound, "user.not-found");
    }

    [Fact]
    public async Task SealedLogin_SwappedBetweenRows_IsRefusedNeverShownAsTheOtherUser()
    {
        await Users.CreateAsync(_server, "swapa");
        await Users.CreateAsync(_server, "swapb");
        var a = await IdOfAsync("swapa");
        var b = await IdOfAsync("swapb");
        var sealedA = (byte[])(await SqlScalarAsync("SELECT LoginSealed FROM users WHERE upper(Id) = @a", ("@a", a)))!;
        var sealedB = (byte[])(await SqlScalarAsync("SELECT LoginSealed FROM users WHERE upper(Id) = @a", ("@a", b)))!;
        await SqlAsync("UPDATE users SET LoginSealed = @v WHERE upper(Id) = @id", ("@v", sealedB), ("@id", a));
        await SqlAsync("UPDATE users SET LoginSealed = @v WHERE upper(Id) = @id", ("@v", sealedA), ("@id", b));

        // Sign-in answers as for any failure; lookups answer with a clear integrity problem, never the other row's login.
        await ProblemAssert.IsProblemAsync(await Users.LoginResponseAsync(_server, "swapa"), HttpStatusCode.Unauthorized, "auth.login-failed");
        var problem = await ProblemAssert.IsProblemAsync(await _apiAdmin.GetAsync("/api/v1/users/swapa"), HttpStatusCode.Conflict, PersonalFieldIntegrityException.Code);
        Assert.DoesNotContain("swapb", problem.GetRawText(), StringComparison.Ordinal);
        await ProblemAssert.IsProblemAsync(await _apiAdmin.GetAsync("/api/v1/users/swapb"), HttpStatusCode.Conflict, PersonalFieldIntegrityException.Code);
        await ProblemAssert.IsProblemAsync(await _apiAdmin.GetAsync("/api/v1/users"), HttpStatusCode.Conflict, PersonalFieldIntegrityException.Code);
    }

    [Fact]
    public async Task SealedLoginAndIndex_MovedTogetherOntoAnotherRow_AreRefused()
    {
        await Users.CreateAsync(_server, "movea");
        await Users.CreateAsync(_server, "moveb");
        var a = await IdOfAsync("movea");
        var b = await IdOfAsync("moveb");

        // The attacker moves movea's sealed login and index onto moveb's row: their login, moveb's password.
        var sealedA = (byte[])(await SqlScalarAsync("SELECT LoginSealed FROM users WHERE upper(Id) = @a", ("@a", a)))!;
        var indexA = (byte[])(await SqlScalarAsync("SELECT LoginIndex FROM users WHERE upper(Id) = @a", ("@a", a)))!;
        await SqlAsync("UPDATE users SET LoginIndex = NULL, LoginSealed = NULL WHERE upper(Id) = @id", ("@id", a));
        await SqlAsync("UPDATE users SET LoginSealed = @v, LoginIndex = @i WHERE upper(Id) = @id", ("@v", sealedA), ("@i", indexA), ("@id", b));

        await ProblemAssert.IsProblemAsync(await Users.LoginResponseAsync(_server, "movea"), HttpStatusCode.Unauthorized, "auth.login-failed");
        await ProblemAssert.IsProblemAsync(await _apiAdmin.GetAsync("/api/v1/users/movea"), HttpStatusCode.Conflict, PersonalFieldIntegrityException.Code);
    }

    [Fact]
    public async Task LegacyPlaintextRow_IsSealedAtStartup_SignsIn_AndLeavesNoPlaintextInTheFile()
    {
        const string login = "qx7legacy.person";
        const string name = "Old Plaintext Quokkaname";
        var hash = new PasswordHasher().Hash(Users.StrongPassword);
        await Users.CreateAsync(_server, "template");
        await _server.App.StopAsync();

        // A row as an older version left it after this version's migration: plaintext columns, nothing sealed, no index.
        await SqlAsync("""
            INSERT INTO users (Id, Login, DisplayName, Status, Clearance, PasswordHash, PasswordHistory, PasswordChangedAt, FailedLogins, CreatedBy, CreatedAt)
            SELECT @id, @login, @name, Status, Clearance, @hash, '', PasswordChangedAt, 0, 'legacy', CreatedAt FROM users LIMIT 1
            """, ("@id", Guid.NewGuid().ToString().ToUpperInvariant()), ("@login", login), ("@name", name), ("@hash", hash));
        var database = Path.Combine(_server.DataDir, "bulwark.db");
        Assert.True(Contains(ReadShared(database), Encoding.UTF8.GetBytes(name)) || Contains(ReadShared(database + "-wal"), Encoding.UTF8.GetBytes(name)),
            "the plaintext row is not in the file: the test proves nothing");

        await using var restarted = TestServer.Build(_server.DataDir, _server.Time);
        await restarted.StartAsync();
        foreach (var file in new[] { database, database + "-wal" })
        {
            if (File.Exists(file))
            {
                var bytes = ReadShared(file);
                Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(login)), $"{Path.GetFileName(file)} still holds the legacy login");
                Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(name)), $"{Path.GetFileName(file)} still holds the legacy display name");
            }
        }

        Assert.Equal(0L, await SqlScalarAsync("SELECT COUNT(*) FROM users WHERE Login IS NOT NULL OR DisplayName IS NOT NULL OR LoginSealed IS NULL OR LoginIndex IS NULL"));
        using var client = TestServer.CreateClient(BulwarkServer.BoundUrl(restarted), _server.Init.CertFingerprint);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest(login.ToUpperInvariant(), Users.StrongPassword, null))).StatusCode);
        using var admin = TestServer.CreateClient(BulwarkServer.BoundUrl(restarted), _server.Init.CertFingerprint, _server.AdminKey);
        var info = (await admin.GetFromJsonAsync<UserInfo>($"/api/v1/users/{login}"))!;
        Assert.Equal((login, name), (info.Login, info.DisplayName));

        // A second start finds nothing left to convert.
        await using var scope = restarted.Services.CreateAsyncScope();
        var converted = await PersonalFieldBackfill.RunAsync(scope.ServiceProvider.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Bulwark.Core.Storage.BulwarkDbContext>>(),
            scope.ServiceProvider.GetRequiredService<PersonalFields>());
        Assert.Equal(0, converted);
        await restarted.StopAsync();
    }

    [Fact]
    public async Task Rewrap_MovesSealedLoginsAndNames_ToTheNewPrimary_AndSignInStillWorks()
    {
        using var admin = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "ringadmin", [new RoleGrant("*", "admin")]));
        await Users.CreateAsync(_server, "rewrapped");
        var census = await EnvelopeCensus.TakeAsync(_server.DataDir);
        var v1 = Assert.Single(census["db/users.LoginSealed"].Keys);
        Assert.Equal([v1], census["db/users.DisplayNameSealed"].Keys);
        var inventory = (await admin.GetFromJsonAsync<KeyRingInventoryInfo>("/api/v1/keyring/inventory"))!;
        Assert.Contains(inventory.Stores, s => s.Store == "db/users.LoginSealed");
        Assert.Contains(inventory.Stores, s => s.Store == "db/users.DisplayNameSealed");

        var rotated = await admin.PostAsJsonAsync("/api/v1/keyring/rotate", new KeyRingActionRequest("test rotation"));
        var v2 = (await rotated.Content.ReadFromJsonAsync<KeyVersionInfo>())!.Id;
        var rewrap = await admin.PostAsJsonAsync("/api/v1/keyring/rewrap", new KeyRingActionRequest("move personal fields"));
        Assert.Equal(HttpStatusCode.OK, rewrap.StatusCode);
        Assert.Equal(0, (await rewrap.Content.ReadFromJsonAsync<KeyRingRewrapInfo>())!.Failed);

        census = await EnvelopeCensus.TakeAsync(_server.DataDir);
        Assert.Equal([v2], census["db/users.LoginSealed"].Keys);
        Assert.Equal([v2], census["db/users.DisplayNameSealed"].Keys);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/api/v1/keyring/minimum-version", new KeyRingMinimumRequest(2))).StatusCode);

        // The blind index comes from the ring's root, not the primary: lookups by login survive rotation.
        await Users.LoginAsync(_server, "rewrapped");
        Assert.Equal("User rewrapped", (await _apiAdmin.GetFromJsonAsync<UserInfo>("/api/v1/users/rewrapped"))!.DisplayName);
    }

    private async Task<string> IdOfAsync(string login)
    {
        await using var scope = _server.App.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserService>().FindAsync(login);
        return user!.Id.ToString().ToUpperInvariant();
    }

    private async Task SqlAsync(string sql, params (string Name, object Value)[] parameters)
    {
        // Straight to the SQLite file, as an attacker with file access would.
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_server.DataDir, "bulwark.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }

    private async Task<object?> SqlScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_server.DataDir, "bulwark.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync();
    }

    /// <summary>A copy of the database (with its log) with the audit ledger deleted and the file rebuilt, so only other tables remain.</summary>
    private static string CopyWithoutAuditLedger(string database, out byte[] withLedger)
    {
        var directory = Path.Combine(Path.GetTempPath(), "bulwark-server-tests", "copy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var copy = Path.Combine(directory, "copy.db");
        File.WriteAllBytes(copy, ReadShared(database));
        if (File.Exists(database + "-wal"))
        {
            File.WriteAllBytes(copy + "-wal", ReadShared(database + "-wal"));
        }

        withLedger = [.. ReadShared(copy), .. File.Exists(copy + "-wal") ? ReadShared(copy + "-wal") : []];
        using (var connection = new SqliteConnection($"Data Source={copy};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA secure_delete=ON; DELETE FROM audit_events; PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE; VACUUM;";
            command.ExecuteNonQuery();
        }

        return copy;
    }

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}

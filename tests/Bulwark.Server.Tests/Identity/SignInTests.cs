using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bulwark.Client.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Identity;

/// <summary>Users, passwords and sign-in over the real HTTPS pipeline: each test attacks one control.</summary>
public sealed class SignInTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Login_ValidPassword_TokenWorksWithTheUsersRoles()
    {
        await Users.CreateAsync(_server, "dana", [new RoleGrant("default", "data-scientist")]);

        var tokens = await Users.LoginAsync(_server, "dana");

        Assert.Equal("Bearer", tokens.TokenType);
        Assert.InRange(tokens.ExpiresIn, 1, 15 * 60);
        Assert.StartsWith("bwr_", tokens.RefreshToken, StringComparison.Ordinal);
        using var client = Users.Bearer(_server, tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/datasets")).StatusCode);
        var me = (await client.GetFromJsonAsync<WhoAmI>("/api/v1/auth/me"))!;
        Assert.Equal("user", me.Kind);
        Assert.Equal("dana", me.Name);

        // data-scientist may read datasets but not import them, nor manage keys.
        using var csv = new StringContent("a,b\n1,2\n", System.Text.Encoding.UTF8, "text/csv");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/api/v1/datasets?name=x&classification=public", csv)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/keys")).StatusCode);
    }

    [Fact]
    public async Task InitialAdmin_SignsInWithTheGeneratedPassword_ButActsOnlyAfterEnrollingMfa()
    {
        Assert.Equal(27, _server.Init.AdminPassword.Length);
        var tokens = await Users.LoginAsync(_server, _server.Init.AdminLogin, _server.Init.AdminPassword);
        Assert.Contains(tokens.Warnings, w => w.Contains("admin", StringComparison.Ordinal));
        using (var weak = Users.Bearer(_server, tokens.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await weak.GetAsync("/api/v1/users")).StatusCode);
        }

        var (secret, _) = await Users.EnrolTotpAsync(_server, tokens.AccessToken, _server.Init.AdminMfaEnrolmentCode);
        _server.Time.Advance(TimeSpan.FromSeconds(30));
        var strong = await Users.LoginAsync(_server, _server.Init.AdminLogin, _server.Init.AdminPassword, Users.Code(_server, secret));
        using var admin = Users.Bearer(_server, strong.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/users")).StatusCode);
    }

    [Fact]
    public async Task Login_HashWithOlderParameters_IsUpgradedOnSuccess()
    {
        await Users.CreateAsync(_server, "olga");
        var legacy = new Bulwark.Core.Identity.Passwords.PasswordHasher(new Bulwark.Core.Identity.Passwords.PasswordHashingOptions { MemoryKiB = 47104, Iterations = 1 })
            .Hash(Users.StrongPassword);
        await using (var scope = _server.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Bulwark.Core.Storage.BulwarkDbContext>();
            var index = scope.ServiceProvider.GetRequiredService<Bulwark.Core.Identity.PersonalFields>().LoginIndex("olga");
            await db.Users.Where(u => u.LoginIndex == index).ExecuteUpdateAsync(u => u.SetProperty(x => x.PasswordHash, legacy));
        }

        await Users.LoginAsync(_server, "olga");

        await using (var scope = _server.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Bulwark.Core.Storage.BulwarkDbContext>();
            var index = scope.ServiceProvider.GetRequiredService<Bulwark.Core.Identity.PersonalFields>().LoginIndex("olga");
            var stored = await db.Users.AsNoTracking().Where(u => u.LoginIndex == index).Select(u => u.PasswordHash).SingleAsync();
            Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", stored, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, (await Users.LoginResponseAsync(_server, "olga")).StatusCode);
    }

    [Fact]
    public async Task Login_UnknownUserAndWrongPassword_AnswerExactlyTheSame()
    {
        await Users.CreateAsync(_server, "erin");

        var wrong = await Users.LoginResponseAsync(_server, "erin", "not-the-password-at-all-123");
        var unknown = await Users.LoginResponseAsync(_server, "nobody-here", "not-the-password-at-all-123");

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(await Shape(wrong), await Shape(unknown));
    }

    [Fact]
    public async Task Login_LoginNameInAnotherForm_IsTheSameUser()
    {
        await Users.CreateAsync(_server, "Frank");
        Assert.Equal(HttpStatusCode.OK, (await Users.LoginResponseAsync(_server, "ＦＲＡＮＫ")).StatusCode);
    }

    [Fact]
    public async Task CreateUser_WeakPassword_400TeachesWithStrengthAndSuggestions()
    {
        using var admin = _server.CreateClient(_server.AdminKey);

        var response = await admin.PostAsJsonAsync("/api/v1/users", new CreateUserRequest("gina", "Gina", "password1234567"));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "password.blocklisted");
        var strength = problem.GetProperty("strength");
        Assert.InRange(strength.GetProperty("score").GetInt32(), 0, 2);
        Assert.NotEmpty(strength.GetProperty("suggestions").EnumerateArray());
        Assert.Equal("nist-800-63b", problem.GetProperty("profile").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/users/gina")).StatusCode);
    }

    [Fact]
    public async Task CreateUser_GrantInAMissingProject_404AndNoUserLeftBehind()
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        var response = await admin.PostAsJsonAsync("/api/v1/users",
            new CreateUserRequest("half", "Half", Users.StrongPassword, null, [new RoleGrant("default", "auditor"), new RoleGrant("no-such-project", "auditor")]));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "project.not-found");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/users/half")).StatusCode);
    }

    [Theory]
    [InlineData("short-but-ok-1", "password.too-short")]
    [InlineData("hank-has-a-long-password-2024", "password.context")]
    public async Task CreateUser_PasswordBreaksARule_400WithThatRule(string password, string code)
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        var response = await admin.PostAsJsonAsync("/api/v1/users", new CreateUserRequest("hank", "Hank", password));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task Refresh_RotatesAndReuseRevokesTheWholeSession()
    {
        await Users.CreateAsync(_server, "ivan", [new RoleGrant("default", "auditor")]);
        var first = await Users.LoginAsync(_server, "ivan");
        using var anonymous = _server.CreateClient();

        var rotated = await anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new RefreshRequest(first.RefreshToken));
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var second = (await rotated.Content.ReadFromJsonAsync<TokenResponse>())!;
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);

        // The first refresh token again: someone holds a copy. The family dies, for the copy and for the user.
        var reused = await anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new RefreshRequest(first.RefreshToken));
        await ProblemAssert.IsProblemAsync(reused, HttpStatusCode.Unauthorized, "auth.refresh-invalid");
        var afterReuse = await anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new RefreshRequest(second.RefreshToken));
        await ProblemAssert.IsProblemAsync(afterReuse, HttpStatusCode.Unauthorized, "auth.refresh-invalid");
        using var client = Users.Bearer(_server, second.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/datasets")).StatusCode);
    }

    [Fact]
    public async Task RevokeSessions_AccessTokenRefusedOnTheNextRequest()
    {
        await Users.CreateAsync(_server, "judy", [new RoleGrant("default", "auditor")]);
        var tokens = await Users.LoginAsync(_server, "judy");
        using var client = Users.Bearer(_server, tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/datasets")).StatusCode);

        using var admin = _server.CreateClient(_server.AdminKey);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/users/judy/sessions")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/datasets")).StatusCode);
        using var anonymous = _server.CreateClient();
        var refreshed = await anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new RefreshRequest(tokens.RefreshToken));
        Assert.Equal(HttpStatusCode.Unauthorized, refreshed.StatusCode);
    }

    [Fact]
    public async Task RevokeOneAccessToken_RefusedOnTheNextRequest_OtherSessionsUnaffected()
    {
        await Users.CreateAsync(_server, "rex", [new RoleGrant("default", "auditor")]);
        var first = await Users.LoginAsync(_server, "rex");
        var second = await Users.LoginAsync(_server, "rex");
        using var a = Users.Bearer(_server, first.AccessToken);
        using var b = Users.Bearer(_server, second.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, (await a.PostAsync("/api/v1/auth/revoke", null)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await a.GetAsync("/api/v1/datasets")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await b.GetAsync("/api/v1/datasets")).StatusCode);
    }

    [Fact]
    public async Task DisableUser_TokenRefusedOnTheNextRequestAndLoginRefused()
    {
        await Users.CreateAsync(_server, "karl", [new RoleGrant("default", "auditor")]);
        var tokens = await Users.LoginAsync(_server, "karl");
        using var admin = _server.CreateClient(_server.AdminKey);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/users/karl/disable", null)).StatusCode);

        using var client = Users.Bearer(_server, tokens.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/datasets")).StatusCode);
        await ProblemAssert.IsProblemAsync(await Users.LoginResponseAsync(_server, "karl"), HttpStatusCode.Unauthorized, "auth.login-failed");
    }

    [Fact]
    public async Task Lockout_AfterRepeatedFailures_EvenTheRightPasswordIsRefusedUntilItEnds()
    {
        // PCI project member: 10 failures lock for 30 minutes (PCI DSS 4.0 req. 8.3.4).
        using var admin = _server.CreateClient(_server.AdminKey);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/projects", new CreateProjectRequest("cards", "Cards", "pci-dss-4"))).StatusCode);
        await Users.CreateAsync(_server, "lena", [new RoleGrant("cards", "auditor")]);
        for (var i = 0; i < 10; i++)
        {
            // Each failure may start a backoff; step past it so every attempt is really checked.
            _server.Time.Advance(TimeSpan.FromMinutes(1));
            await ProblemAssert.IsProblemAsync(await Users.LoginResponseAsync(_server, "lena", "wrong-password-guess-" + i), HttpStatusCode.Unauthorized, "auth.login-failed");
        }

        _server.Time.Advance(TimeSpan.FromMinutes(29));
        await ProblemAssert.IsProblemAsync(await Users.LoginResponseAsync(_server, "lena"), HttpStatusCode.Unauthorized, "auth.login-failed");
        _server.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.OK, (await Users.LoginResponseAsync(_server, "lena")).StatusCode);
    }

    [Fact]
    public async Task Backoff_AfterFiveFailures_EvenTheRightPasswordWaitsAndTheWaitDoubles()
    {
        await Users.CreateAsync(_server, "bob", [new RoleGrant("default", "auditor")]);
        for (var i = 0; i < 5; i++)
        {
            _server.Time.Advance(TimeSpan.FromMinutes(1));
            await Users.LoginResponseAsync(_server, "bob", "wrong-password-guess-" + i);
        }

        // The fifth failure started a 1 s wait: the right password inside it is refused, and counts as nothing.
        await ProblemAssert.IsProblemAsync(await Users.LoginResponseAsync(_server, "bob"), HttpStatusCode.Unauthorized, "auth.login-failed");
        _server.Time.Advance(TimeSpan.FromSeconds(2));
        await ProblemAssert.IsProblemAsync(await Users.LoginResponseAsync(_server, "bob", "wrong-password-guess-5"), HttpStatusCode.Unauthorized, "auth.login-failed");

        // The sixth failure: 2 s. One second later still refused; two seconds later the right password works.
        _server.Time.Advance(TimeSpan.FromSeconds(1));
        await ProblemAssert.IsProblemAsync(await Users.LoginResponseAsync(_server, "bob"), HttpStatusCode.Unauthorized, "auth.login-failed");
        _server.Time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Equal(HttpStatusCode.OK, (await Users.LoginResponseAsync(_server, "bob")).StatusCode);
    }

    [Fact]
    public async Task PrivilegedRoleWithoutMfa_WarnedAndInactiveUntilEnrolled()
    {
        var created = await Users.CreateAsync(_server, "mia", [new RoleGrant("*", "admin")]);
        Assert.Contains(created.Warnings, w => w.Contains("without MFA", StringComparison.Ordinal));

        var tokens = await Users.LoginAsync(_server, "mia");
        Assert.Contains(tokens.Warnings, w => w.Contains("MFA is not enrolled", StringComparison.Ordinal));
        using (var weak = Users.Bearer(_server, tokens.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await weak.GetAsync("/api/v1/users")).StatusCode);
        }

        var (secret, _) = await Users.EnrolTotpAsync(_server, tokens.AccessToken, await Users.IssueEnrolmentCodeAsync(_server, "mia"));
        _server.Time.Advance(TimeSpan.FromSeconds(30));
        await ProblemAssert.IsProblemAsync(await Users.LoginResponseAsync(_server, "mia"), HttpStatusCode.Unauthorized, "auth.mfa-required");
        var strong = await Users.LoginAsync(_server, "mia", code: Users.Code(_server, secret));
        Assert.Contains("otp", strong.Amr);
        using var client = Users.Bearer(_server, strong.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/users")).StatusCode);
    }

    [Fact]
    public async Task PrivilegedUser_EnrollingMfaWithThePasswordAlone_IsRefused()
    {
        // Whoever learns the password of a new admin first must not be able to bind their own authenticator.
        await Users.CreateAsync(_server, "priv", [new RoleGrant("*", "security-officer")]);
        var tokens = await Users.LoginAsync(_server, "priv");
        using var client = Users.Bearer(_server, tokens.AccessToken);

        await ProblemAssert.IsProblemAsync(await client.PostAsJsonAsync("/api/v1/auth/mfa/totp", new TotpBeginRequest(null)), HttpStatusCode.Forbidden, "mfa.enrolment-code-required");
        await ProblemAssert.IsProblemAsync(await client.PostAsJsonAsync("/api/v1/auth/mfa/totp", new TotpBeginRequest("bwm_00000000000000000000000000000000")),
            HttpStatusCode.Forbidden, "mfa.enrolment-code-required");
        var code = await Users.IssueEnrolmentCodeAsync(_server, "priv");
        _server.Time.Advance(TimeSpan.FromHours(25));
        var fresh = (await Users.LoginAsync(_server, "priv")).AccessToken;
        using var later = Users.Bearer(_server, fresh);
        await ProblemAssert.IsProblemAsync(await later.PostAsJsonAsync("/api/v1/auth/mfa/totp", new TotpBeginRequest(code)), HttpStatusCode.Forbidden, "mfa.enrolment-code-required");

        var (secret, _) = await Users.EnrolTotpAsync(_server, fresh, await Users.IssueEnrolmentCodeAsync(_server, "priv"));
        Assert.NotEmpty(secret);
    }

    [Fact]
    public async Task Totp_SameCodeTwice_SecondSignInRefused()
    {
        await Users.CreateAsync(_server, "nina", [new RoleGrant("default", "auditor")]);
        var (secret, _) = await Users.EnrolTotpAsync(_server, (await Users.LoginAsync(_server, "nina")).AccessToken);
        _server.Time.Advance(TimeSpan.FromSeconds(30));
        var code = Users.Code(_server, secret);

        Assert.Equal(HttpStatusCode.OK, (await Users.LoginResponseAsync(_server, "nina", code: code)).StatusCode);
        await ProblemAssert.IsProblemAsync(await Users.LoginResponseAsync(_server, "nina", code: code), HttpStatusCode.Unauthorized, "auth.login-failed");
    }

    [Fact]
    public async Task RecoveryCode_WorksOnceOnly()
    {
        await Users.CreateAsync(_server, "omar", [new RoleGrant("default", "auditor")]);
        var (_, recovery) = await Users.EnrolTotpAsync(_server, (await Users.LoginAsync(_server, "omar")).AccessToken);
        Assert.Equal(10, recovery.Count);

        var first = await Users.LoginAsync(_server, "omar", code: recovery[0]);
        Assert.Contains("mfa", first.Amr);
        _server.Time.Advance(TimeSpan.FromMinutes(1));
        await ProblemAssert.IsProblemAsync(await Users.LoginResponseAsync(_server, "omar", code: recovery[0]), HttpStatusCode.Unauthorized, "auth.login-failed");
    }

    [Fact]
    public async Task MfaReset_WithApiKey_NeedsStepUp()
    {
        await Users.CreateAsync(_server, "pia");
        using var admin = _server.CreateClient(_server.AdminKey);
        await ProblemAssert.IsProblemAsync(await admin.PostAsync("/api/v1/users/pia/mfa/reset", null), HttpStatusCode.Forbidden, "auth.step-up-required");
    }

    [Fact]
    public async Task SecurityOfficer_CannotGrantAdmin()
    {
        await Users.CreateAsync(_server, "quinn", [new RoleGrant("*", "security-officer")]);
        var (secret, _) = await Users.EnrolTotpAsync(_server, (await Users.LoginAsync(_server, "quinn")).AccessToken, await Users.IssueEnrolmentCodeAsync(_server, "quinn"));
        _server.Time.Advance(TimeSpan.FromSeconds(30));
        var tokens = await Users.LoginAsync(_server, "quinn", code: Users.Code(_server, secret));
        using var officer = Users.Bearer(_server, tokens.AccessToken);

        var response = await officer.PostAsJsonAsync("/api/v1/users/quinn/roles", new RoleGrant("*", "admin"));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "auth.forbidden");
    }

    [Fact]
    public async Task Jwks_PublishesOnlyPublicKeys()
    {
        using var anonymous = _server.CreateClient();
        var jwks = await anonymous.GetStringAsync("/.well-known/jwks.json");
        using var json = JsonDocument.Parse(jwks);
        var key = Assert.Single(json.RootElement.GetProperty("keys").EnumerateArray());
        Assert.Equal("EC", key.GetProperty("kty").GetString());
        Assert.False(key.TryGetProperty("d", out _));
    }

    private static async Task<(HttpStatusCode, string)> Shape(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, json.RootElement.GetProperty("code").GetString() + "|" + json.RootElement.GetProperty("detail").GetString());
    }
}

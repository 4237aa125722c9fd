using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Bulwark.Client.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Identity;

/// <summary>Creates users through the real API and signs them in; computes TOTP codes from an enrolment secret.</summary>
internal static class Users
{
    /// <summary>A passphrase that meets the NIST profile without MFA (long, not common, no login name).</summary>
    public const string StrongPassword = "amber-lantern-orbit-quietly-57";

    public static async Task<CreatedUserInfo> CreateAsync(TestServer server, string login, IReadOnlyList<RoleGrant>? roles = null, string? clearance = null, string password = StrongPassword)
    {
        using var admin = server.CreateClient(server.AdminKey);
        var response = await admin.PostAsJsonAsync("/api/v1/users", new CreateUserRequest(login, "User " + login, password, clearance, roles));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CreatedUserInfo>())!;
    }

    public static async Task<HttpResponseMessage> LoginResponseAsync(TestServer server, string login, string password = StrongPassword, string? code = null)
    {
        using var anonymous = server.CreateClient();
        return await anonymous.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest(login, password, code));
    }

    public static async Task<TokenResponse> LoginAsync(TestServer server, string login, string password = StrongPassword, string? code = null)
    {
        var response = await LoginResponseAsync(server, login, password, code);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
    }

    public static HttpClient Bearer(TestServer server, string accessToken)
    {
        var client = server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }

    /// <summary>Enrols TOTP for a signed-in user; returns the secret (for computing codes) and the recovery codes.</summary>
    public static async Task<(byte[] Secret, IReadOnlyList<string> RecoveryCodes)> EnrolTotpAsync(TestServer server, string accessToken, string? enrolmentCode = null)
    {
        using var client = Bearer(server, accessToken);
        var begun = await client.PostAsJsonAsync("/api/v1/auth/mfa/totp", new TotpBeginRequest(enrolmentCode));
        Assert.True(begun.StatusCode == HttpStatusCode.OK, await begun.Content.ReadAsStringAsync());
        var enrolment = (await begun.Content.ReadFromJsonAsync<TotpEnrolment>())!;
        var secret = OtpNet.Base32Encoding.ToBytes(enrolment.Secret);
        var confirmed = await client.PostAsJsonAsync("/api/v1/auth/mfa/totp/confirm", new TotpConfirmRequest(Code(server, secret)));
        Assert.True(confirmed.StatusCode == HttpStatusCode.OK, await confirmed.Content.ReadAsStringAsync());
        return (secret, (await confirmed.Content.ReadFromJsonAsync<RecoveryCodesResponse>())!.RecoveryCodes);
    }

    /// <summary>An administrator's one-time MFA enrolment code for <paramref name="login"/> (issued through the service, as init does).</summary>
    public static async Task<string> IssueEnrolmentCodeAsync(TestServer server, string login)
    {
        await using var scope = server.App.Services.CreateAsyncScope();
        var issued = await scope.ServiceProvider.GetRequiredService<Bulwark.Core.Identity.MfaService>().IssueEnrolmentCodeAsync(login, "test-admin", null);
        Assert.True(issued.Succeeded, issued.Failure?.Detail);
        return issued.Value.Code;
    }

    /// <summary>The TOTP code for the server's (fake) current time.</summary>
    public static string Code(TestServer server, byte[] secret) => new OtpNet.Totp(secret).ComputeTotp(server.Time.GetUtcNow().UtcDateTime);

    /// <summary>A user holding <paramref name="roles"/>, with TOTP enrolled, signed in with both factors (what step-up actions need).</summary>
    public static async Task<string> SignedInWithMfaAsync(TestServer server, string login, IReadOnlyList<RoleGrant> roles, string? clearance = null)
    {
        await CreateAsync(server, login, roles, clearance);
        var (secret, _) = await EnrolTotpAsync(server, (await LoginAsync(server, login)).AccessToken, await IssueEnrolmentCodeAsync(server, login));
        server.Time.Advance(TimeSpan.FromSeconds(30));
        return (await LoginAsync(server, login, code: Code(server, secret))).AccessToken;
    }
}

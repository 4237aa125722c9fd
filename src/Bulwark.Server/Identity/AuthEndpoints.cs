using System.Globalization;
using Bulwark.Client.Contracts;
using Bulwark.Core.Identity;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bulwark.Server.Identity;

/// <summary>
/// Sign-in for people: password (+ TOTP) → access token + rotating refresh token; refresh; sign-out; who-am-I; MFA
/// enrolment; password change. Sign-in endpoints are anonymous by nature and throttled per client network.
/// </summary>
internal static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var open = app.MapGroup("/api/v1/auth").WithTags("Auth").AllowAnonymous();
        open.MapPost("/login", LoginAsync).WithName("Login").AcceptsJson();
        open.MapPost("/refresh", RefreshAsync).WithName("RefreshToken").AcceptsJson();
        open.MapPost("/logout", LogoutAsync).WithName("Logout").AcceptsJson();

        var self = app.MapGroup("/api/v1/auth").WithTags("Auth").RequirePermission(PermissionPolicies.Self).InstanceWide();
        self.MapGet("/me", Me).WithName("WhoAmI");
        self.MapPost("/mfa/totp", BeginTotpAsync).WithName("BeginTotpEnrolment").AcceptsJson();
        self.MapPost("/mfa/totp/confirm", ConfirmTotpAsync).WithName("ConfirmTotpEnrolment").AcceptsJson();
        self.MapPost("/password", ChangePasswordAsync).WithName("ChangePassword").AcceptsJson();
        self.MapPost("/revoke", RevokeCurrentTokenAsync).WithName("RevokeAccessToken");
        return app;
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> LoginAsync(
        LoginRequest request, SignInService signIn, AuthFailureLimiter failures, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        var partition = RateLimiting.AnonymousPartition(context.Connection.RemoteIpAddress);
        if (failures.Check(partition) is { Blocked: true } blocked)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(blocked.RetryAfter.TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return Problems.Of(ErrorCodes.RateLimited, StatusCodes.Status429TooManyRequests, $"Too many failed sign-ins from this network; retry after {seconds} s.");
        }

        var outcome = await signIn.SignInAsync(request.Login ?? "", request.Password ?? "", request.Code, context.ClientAddress(), cancellationToken);
        if (!outcome.Succeeded)
        {
            if (outcome.Failure.Code == UserErrors.LoginFailed)
            {
                failures.RecordFailure(partition);
            }

            return Problems.From(outcome.Failure);
        }

        return Tokens(context, outcome.Value, time, await WarningsAsync(outcome.Value, context));
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> RefreshAsync(
        RefreshRequest request, SignInService signIn, AuthFailureLimiter failures, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        var partition = RateLimiting.AnonymousPartition(context.Connection.RemoteIpAddress);
        if (failures.Check(partition).Blocked)
        {
            return Problems.Of(ErrorCodes.RateLimited, StatusCodes.Status429TooManyRequests, "Too many failed attempts from this network; retry later.");
        }

        var outcome = await signIn.RefreshAsync(request.RefreshToken ?? "", context.ClientAddress(), cancellationToken);
        if (!outcome.Succeeded)
        {
            failures.RecordFailure(partition);
            return Problems.From(outcome.Failure);
        }

        return Tokens(context, outcome.Value, time, []);
    }

    private static async Task<NoContent> LogoutAsync(RefreshRequest request, SignInService signIn, HttpContext context, CancellationToken cancellationToken)
    {
        // Always 204: whether the token existed is nobody's business but its holder's.
        await signIn.SignOutAsync(request.RefreshToken ?? "", context.ClientAddress(), cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Revokes the access token this request carries (per-token revocation; its session's refresh token is unaffected).</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeCurrentTokenAsync(RevocationService revocations, HttpContext context, CancellationToken cancellationToken)
    {
        if (context.GetIdentityOrNull() is not { TokenId: { } tokenId } identity)
        {
            return Problems.Of(ErrorCodes.InvalidRequest, 400, "Only access tokens can be revoked here; revoke an API key with DELETE /api/v1/keys/{prefix}.");
        }

        await revocations.RevokeTokenAsync(tokenId, identity.Id, identity.Id, context.ClientAddress(), cancellationToken);
        return TypedResults.NoContent();
    }

    private static Ok<WhoAmI> Me(HttpContext context)
    {
        var identity = context.GetIdentityOrNull()!;
        var principal = context.GetPrincipal();
        var roles = identity.RolesByProject.SelectMany(p => p.Value.Select(r => p.Key + ":" + r)).Order(StringComparer.Ordinal).ToList();
        var permissions = identity.BoundScopes?.Order(StringComparer.Ordinal).ToList() ?? principal.Scopes.Order(StringComparer.Ordinal).ToList();
        return TypedResults.Ok(new WhoAmI(identity.Id, identity.Name, identity.Kind, identity.BoundProject ?? identity.DefaultProject, roles, permissions, identity.Mfa));
    }

    private static async Task<Results<Ok<TotpEnrolment>, ProblemHttpResult>> BeginTotpAsync(
        [Microsoft.AspNetCore.Mvc.FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] TotpBeginRequest? request,
        MfaService mfa, HttpContext context, CancellationToken cancellationToken)
    {
        if (UserIdOf(context) is not { } userId)
        {
            return Problems.Of(ErrorCodes.InvalidRequest, 400, "Only users enrol MFA; API keys and services authenticate with their own credentials.");
        }

        var outcome = await mfa.BeginAsync(userId, request?.EnrolmentCode, cancellationToken);
        context.Response.Headers.CacheControl = "no-store";
        return outcome.Succeeded ? TypedResults.Ok(new TotpEnrolment(outcome.Value.OtpAuthUri, outcome.Value.Secret)) : Problems.From(outcome.Failure);
    }

    private static async Task<Results<Ok<RecoveryCodesResponse>, ProblemHttpResult>> ConfirmTotpAsync(
        TotpConfirmRequest request, MfaService mfa, HttpContext context, CancellationToken cancellationToken)
    {
        if (UserIdOf(context) is not { } userId)
        {
            return Problems.Of(ErrorCodes.InvalidRequest, 400, "Only users enrol MFA.");
        }

        var outcome = await mfa.ConfirmAsync(userId, request.Code ?? "", context.ClientAddress(), cancellationToken);
        context.Response.Headers.CacheControl = "no-store";
        return outcome.Succeeded ? TypedResults.Ok(new RecoveryCodesResponse(outcome.Value)) : Problems.From(outcome.Failure);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ChangePasswordAsync(
        ChangePasswordRequest request, UserService users, SignInService signIn, AuthFailureLimiter failures, HttpContext context, CancellationToken cancellationToken)
    {
        if (UserIdOf(context) is not { } userId)
        {
            return Problems.Of(ErrorCodes.InvalidRequest, 400, "Only users have passwords.");
        }

        // A stolen access token must not become an unlimited oracle for the current password.
        var partition = "user:" + userId.ToString("D");
        if (failures.Check(partition).Blocked)
        {
            return Problems.Of(ErrorCodes.RateLimited, StatusCodes.Status429TooManyRequests, "Too many wrong current passwords; retry later.");
        }

        var profiles = await signIn.ProfilesOfAsync(userId, cancellationToken);
        var outcome = await users.ChangePasswordAsync(userId, request.CurrentPassword ?? "", request.NewPassword ?? "", profiles, context.ClientAddress(), cancellationToken);
        if (!outcome.Succeeded && outcome.Failure.Code == UserErrors.CurrentPasswordIncorrect)
        {
            failures.RecordFailure(partition);
        }

        return outcome.Succeeded ? TypedResults.NoContent() : Problems.From(outcome.Failure);
    }

    private static Guid? UserIdOf(HttpContext context) =>
        context.GetIdentityOrNull() is { Kind: PrincipalKinds.User } identity && Guid.TryParse(identity.Id.AsSpan(5), out var id) ? id : null;

    private static async Task<IReadOnlyList<string>> WarningsAsync(SignInService.SignedIn signedIn, HttpContext context)
    {
        var directory = context.RequestServices.GetRequiredService<UserDirectory>();
        var roles = context.RequestServices.GetRequiredService<Core.Access.RoleRegistry>().Current;
        var entry = await directory.FindAsync(signedIn.User.Id, context.RequestAborted);
        var held = entry?.RolesByProject.Values.SelectMany(r => r).Distinct(StringComparer.Ordinal).ToList() ?? [];
        var privileged = held.Where(roles.MfaRequiredRoles.Contains).Order(StringComparer.Ordinal).ToList();
        return privileged.Count > 0 && !signedIn.User.MfaEnrolled
            ? [$"MFA is not enrolled: your {string.Join(", ", privileged)} role(s) stay inactive until it is ('bulwark mfa enrol', or POST /api/v1/auth/mfa/totp, with the enrolment code an administrator issues you), because a stolen password alone must not be enough to act with them."]
            : [];
    }

    private static Ok<TokenResponse> Tokens(HttpContext context, SignInService.SignedIn signedIn, TimeProvider time, IReadOnlyList<string> warnings)
    {
        // RFC 6749 §5.1: token responses must not be cached.
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        var expiresIn = (int)Math.Max(0, (signedIn.Access.ExpiresAt - time.GetUtcNow()).TotalSeconds);
        return TypedResults.Ok(new TokenResponse(signedIn.Access.Token, "Bearer", expiresIn, signedIn.Access.ExpiresAt, signedIn.RefreshToken,
            signedIn.RefreshExpiresAt, signedIn.Amr, warnings));
    }
}

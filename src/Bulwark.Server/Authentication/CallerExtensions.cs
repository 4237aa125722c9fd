using Bulwark.Core.Identity;

namespace Bulwark.Server.Authentication;

/// <summary>The authenticated <see cref="BulwarkPrincipal"/> of a request, for handlers and the rate limiter.</summary>
internal static class CallerExtensions
{
    private const string Key = "bulwark.principal";
    private const string IdentityKey = "bulwark.identity";

    public static void SetIdentity(this HttpContext context, BulwarkIdentity identity) => context.Items[IdentityKey] = identity;

    /// <summary>Who authenticated, before the request's project is resolved; null for anonymous requests.</summary>
    public static BulwarkIdentity? GetIdentityOrNull(this HttpContext context) =>
        context.Items.TryGetValue(IdentityKey, out var value) ? value as BulwarkIdentity : null;

    public static void SetPrincipal(this HttpContext context, BulwarkPrincipal principal) => context.Items[Key] = principal;

    public static BulwarkPrincipal? GetPrincipalOrNull(this HttpContext context) => context.Items.TryGetValue(Key, out var value) ? value as BulwarkPrincipal : null;

    /// <summary>Only called from endpoints that require a permission, so an authenticated principal always exists.</summary>
    public static BulwarkPrincipal GetPrincipal(this HttpContext context) =>
        context.GetPrincipalOrNull() ?? throw new InvalidOperationException("No authenticated principal on an endpoint that requires one.");

    public static string? ClientAddress(this HttpContext context) => context.Connection.RemoteIpAddress?.ToString();

    /// <summary>
    /// An instance administrator: a user holding admin in "*" (active, so with MFA in this session), or an instance-wide
    /// API key with the admin scope (the one <c>bulwark init</c> issues).
    /// </summary>
    public static bool IsInstanceAdmin(this HttpContext context) => context.GetIdentityOrNull() is { } identity
        && (identity.BoundProject == Core.Projects.ProjectIds.AllProjects && identity.BoundScopes?.Contains(Permissions.Admin) == true
            || identity.RolesByProject.TryGetValue(Core.Projects.ProjectIds.AllProjects, out var everywhere) && everywhere.Contains(Permissions.Admin));
}

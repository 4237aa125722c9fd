using Bulwark.Core.Audit;
using Bulwark.Server.Authentication;

namespace Bulwark.Server.Audit;

/// <summary>
/// Gives every audit event of a request its "how" and "where" beyond the client address: the user agent from the start
/// (failed authentications are recorded with it), and the authentication method once the caller is known ("jwt" plus
/// "+mfa" when the session proved a second factor, "api_key", "client_credentials", "external_jwt").
/// </summary>
internal static class AuditContextMiddleware
{
    public static IApplicationBuilder UseAuditContextBeforeAuthentication(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        AuditContext.Set(null, context.Request.Headers.UserAgent.ToString());
        return next(context);
    });

    public static IApplicationBuilder UseAuditContextAfterAuthentication(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.GetIdentityOrNull() is { } identity)
        {
            AuditContext.Set(identity.Mfa ? identity.AuthenticationMethod + "+mfa" : identity.AuthenticationMethod, context.Request.Headers.UserAgent.ToString());
        }

        return next(context);
    });
}

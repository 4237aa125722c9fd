using Microsoft.Extensions.Options;

namespace Bulwark.Server.Hosting;

/// <summary>
/// Adds the security headers to every response, errors included, just before the headers are sent.
/// The API serves JSON only, so the CSP forbids everything (OWASP Secure Headers Project).
/// </summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next, IOptions<ServerOptions> options)
{
    private readonly string _hsts = $"max-age={(long)TimeSpan.FromDays(options.Value.HstsMaxAgeDays).TotalSeconds}";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(static state =>
        {
            var (ctx, hsts) = ((HttpContext, string))state;
            var headers = ctx.Response.Headers;
            headers.StrictTransportSecurity = hsts; // RFC 6797
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            headers["Referrer-Policy"] = "no-referrer";
            headers.CacheControl = "no-store";
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "accelerometer=(), camera=(), geolocation=(), microphone=(), payment=(), usb=()";
            headers.Remove("Server");
            return Task.CompletedTask;
        }, (context, _hsts));
        return next(context);
    }
}

using Bulwark.Client.Contracts;
using Microsoft.Extensions.Options;

namespace Bulwark.Server.Hosting;

/// <summary>
/// Rejects requests whose Host header (RFC 9110 §7.2) is not on the allow-list, which blunts DNS rebinding against a
/// loopback server. Our own middleware instead of HostFiltering so the rejection is a problem details body.
/// </summary>
internal sealed class HostAllowListMiddleware(RequestDelegate next, IOptions<ServerOptions> options)
{
    private readonly HashSet<string> _allowed = new(options.Value.AllowedHostList, StringComparer.OrdinalIgnoreCase);

    public Task InvokeAsync(HttpContext context)
    {
        var host = context.Request.Host;
        return host.HasValue && _allowed.Contains(host.Host)
            ? next(context)
            : Problems.WriteAsync(context, ErrorCodes.InvalidRequest, StatusCodes.Status400BadRequest, "The Host header is not on this server's allow-list (Bulwark:Server:AllowedHosts).");
    }
}

using System.Net.Http.Headers;
using System.Text;
using Bulwark.Client.Contracts;
using Bulwark.Core.Identity;
using Bulwark.Core.Identity.Tokens;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Bulwark.Server.Identity;

/// <summary>
/// OAuth 2.0 for services: client registration per project (<c>keys:manage</c>) and the token endpoint with the
/// client-credentials grant (RFC 6749 §4.4), authenticating by client secret (Basic or form) or <c>private_key_jwt</c>
/// (RFC 7523). No password grant: RFC 9700 §2.4 forbids it.
/// </summary>
internal static class ClientsEndpoints
{
    private const int MaxFormBytes = 16 * 1024;

    public static IEndpointRouteBuilder MapClients(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/clients").WithTags("Auth").RequirePermission(Permissions.KeysManage);
        group.MapPost("/", RegisterAsync).WithName("CreateClient").AcceptsJson();
        group.MapGet("/", ListAsync).WithName("ListClients");
        group.MapDelete("/{clientId}", DisableAsync).WithName("DisableClient");

        app.MapPost("/oauth/token", TokenAsync).WithName("OAuthToken").WithTags("Auth").AllowAnonymous()
            .AcceptsContentTypes("application/x-www-form-urlencoded").WithBodySizeLimit(MaxFormBytes);
        return app;
    }

    private static async Task<Results<Created<CreatedClientInfo>, ProblemHttpResult>> RegisterAsync(
        CreateClientRequest request, OAuthClientService clients, HttpContext context, CancellationToken cancellationToken)
    {
        var caller = context.GetPrincipal();
        if (request.Scopes is null || request.Scopes.Any(s => s is null))
        {
            return Problems.Of("client.invalid", 400, "Send a list of scopes, none of them null.");
        }

        if (request.Scopes.FirstOrDefault(s => !Keys.KeysEndpoints.MayGrant(caller, s)) is { } withheld)
        {
            // The API-key rules: a caller hands a service only what it holds, and only admin hands out keys:manage
            // (else a leaked keys:manage credential could register clones of itself that outlive its revocation).
            return Problems.Of(ErrorCodes.Forbidden, 403, $"You may not grant the scope '{withheld}' to a client.");
        }

        var outcome = await clients.RegisterAsync(caller.ProjectId, request.Name ?? "", request.Scopes ?? [], request.PublicJwk, caller.Id, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded
            ? TypedResults.Created($"/api/v1/clients/{outcome.Value.Client.ClientId}", new CreatedClientInfo(ToInfo(outcome.Value.Client), outcome.Value.Secret))
            : Problems.From(outcome.Failure);
    }

    private static async Task<Ok<ClientInfo[]>> ListAsync(OAuthClientService clients, HttpContext context, CancellationToken cancellationToken) =>
        TypedResults.Ok((await clients.ListAsync(context.GetPrincipal().ProjectId, cancellationToken)).Select(ToInfo).ToArray());

    private static async Task<Results<NoContent, ProblemHttpResult>> DisableAsync(
        string clientId, OAuthClientService clients, ClientDirectory directory, HttpContext context, CancellationToken cancellationToken)
    {
        var caller = context.GetPrincipal();
        if (!caller.Has(Permissions.Admin) && (await clients.ListAsync(caller.ProjectId, cancellationToken))
            .FirstOrDefault(c => c.ClientId == clientId)?.Scopes.Split(' ').Contains(Permissions.KeysManage) == true)
        {
            return Problems.Of(ErrorCodes.Forbidden, 403, "Only an admin may disable a client holding keys:manage.");
        }

        if (!await clients.DisableAsync(caller.ProjectId, clientId, caller.Id, context.ClientAddress(), cancellationToken))
        {
            return Problems.Of("client.not-found", 404, $"No client '{clientId}'.");
        }

        directory.Invalidate(clientId);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<OAuthTokenResponse>, ProblemHttpResult>> TokenAsync(
        HttpContext context, OAuthClientService clients, AuthFailureLimiter failures, IOptions<TokenOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        // RFC 6749 §5.1: token responses are never cached.
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        var partition = RateLimiting.AnonymousPartition(context.Connection.RemoteIpAddress);
        if (failures.Check(partition).Blocked)
        {
            return OAuthError("invalid_request", StatusCodes.Status429TooManyRequests, "Too many failed client authentications from this network; retry later.");
        }

        if (!context.Request.HasFormContentType)
        {
            return OAuthError("invalid_request", 400, "Send the parameters as application/x-www-form-urlencoded (RFC 6749 §4.4.2).");
        }

        var form = await context.Request.ReadFormAsync(cancellationToken);
        if (form.Any(f => f.Value.Count > 1))
        {
            // RFC 6749 §3.2: parameters must not be repeated.
            return OAuthError("invalid_request", 400, "A parameter was sent more than once.");
        }

        if (form["grant_type"] != "client_credentials")
        {
            return OAuthError("unsupported_grant_type", 400, "Only grant_type=client_credentials is supported.");
        }

        string? clientId = form["client_id"];
        string? secret = form["client_secret"];
        if (context.Request.Headers.Authorization is { Count: 1 } header)
        {
            if (secret is not null || !TryParseBasic(header[0], out var basicId, out var basicSecret))
            {
                return OAuthError("invalid_request", 400, "Use exactly one client authentication method.");
            }

            (clientId, secret) = (basicId, basicSecret);
        }

        var issuer = options.Value.Issuer.TrimEnd('/');
        var self = $"{context.Request.Scheme}://{context.Request.Host}/oauth/token";
        string[] audiences = [options.Value.Issuer, issuer, issuer + "/oauth/token", self];
        var granted = await clients.GrantAsync(clientId, secret, form["client_assertion_type"], form["client_assertion"], form["scope"], audiences,
            context.ClientAddress(), cancellationToken);
        if (!granted.Succeeded)
        {
            if (granted.Failure.Code == "invalid_client")
            {
                failures.RecordFailure(partition);
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"bulwark\"";
            }

            return OAuthError(granted.Failure.Code, granted.Failure.Status, granted.Failure.Detail);
        }

        var expiresIn = (int)Math.Max(0, (granted.Value.Token.ExpiresAt - time.GetUtcNow()).TotalSeconds);
        return TypedResults.Ok(new OAuthTokenResponse(granted.Value.Token.Token, "Bearer", expiresIn, string.Join(' ', granted.Value.Scopes)));
    }

    /// <summary>RFC 6749 §5.2 error members inside an RFC 9457 problem, so OAuth libraries and Bulwark clients both understand it.</summary>
    private static ProblemHttpResult OAuthError(string error, int status, string description) =>
        Problems.From(new Core.Failure("oauth." + error.Replace('_', '-'), status, description,
            new Dictionary<string, object?> { ["error"] = error, ["error_description"] = description }));

    private static bool TryParseBasic(string? header, out string? clientId, out string? secret)
    {
        clientId = secret = null;
        if (!AuthenticationHeaderValue.TryParse(header, out var value) || !value.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) || value.Parameter is null)
        {
            return false;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return false;
            }

            // RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
            clientId = Uri.UnescapeDataString(decoded[..colon].Replace('+', ' '));
            secret = Uri.UnescapeDataString(decoded[(colon + 1)..].Replace('+', ' '));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static ClientInfo ToInfo(OAuthClient c) => new(c.ClientId, c.Name, c.ProjectId, c.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        c.PublicJwk is null ? "client_secret" : "private_key_jwt", c.CreatedAt, c.DisabledAt);
}

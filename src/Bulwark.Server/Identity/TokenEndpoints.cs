using Bulwark.Core.Identity;
using Bulwark.Core.Identity.Tokens;
using Bulwark.Server.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Bulwark.Server.Identity;

/// <summary>
/// The public face of Bulwark's token issuer: the JWK Set (RFC 7517) that verifies its access tokens and the discovery
/// document (RFC 8414) naming it; plus signing-key rotation for administrators.
/// </summary>
internal static class TokenEndpoints
{
    private static readonly string[] GrantTypes = ["client_credentials"];
    private static readonly string[] ClientAuthMethods = ["client_secret_basic", "client_secret_post", "private_key_jwt"];
    private static readonly string[] AssertionAlgorithms = ["ES256", "RS256"];
    private static readonly string[] SigningAlgorithms = ["ES256"];
    private static readonly string[] SubjectTypes = ["public"];

    public static IEndpointRouteBuilder MapTokens(this IEndpointRouteBuilder app)
    {
        var wellKnown = app.MapGroup("/.well-known").WithTags("Auth").AllowAnonymous();
        wellKnown.MapGet("/jwks.json", Jwks).WithName("Jwks");
        wellKnown.MapGet("/openid-configuration", Discovery).WithName("Discovery");
        wellKnown.MapGet("/oauth-authorization-server", Discovery).WithName("OAuthMetadata");

        app.MapPost("/api/v1/auth/signing-keys/rotate", RotateAsync).WithName("RotateSigningKey").WithTags("Auth")
            .RequirePermission(Permissions.KeysManage).InstanceWide().RequireStepUp();
        return app;
    }

    private static ContentHttpResult Jwks(SigningKeyStore keys, HttpContext context)
    {
        // Short caching: verifiers pick up a rotation within minutes, well inside the key overlap.
        context.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.Text(keys.Current.JwksJson(), "application/jwk-set+json");
    }

    private static Ok<Dictionary<string, object>> Discovery(IOptions<TokenOptions> options)
    {
        var issuer = options.Value.Issuer.TrimEnd('/');
        return TypedResults.Ok(new Dictionary<string, object>
        {
            ["issuer"] = options.Value.Issuer,
            ["jwks_uri"] = issuer + "/.well-known/jwks.json",
            ["token_endpoint"] = issuer + "/oauth/token",
            ["grant_types_supported"] = GrantTypes,
            ["token_endpoint_auth_methods_supported"] = ClientAuthMethods,
            ["token_endpoint_auth_signing_alg_values_supported"] = AssertionAlgorithms,
            ["id_token_signing_alg_values_supported"] = SigningAlgorithms,
            ["response_types_supported"] = Array.Empty<string>(),
            ["subject_types_supported"] = SubjectTypes,
        });
    }

    private static async Task<Ok<Dictionary<string, string>>> RotateAsync(SigningKeyStore keys, HttpContext context, CancellationToken cancellationToken)
    {
        var keyId = await keys.RotateAsync(context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return TypedResults.Ok(new Dictionary<string, string> { ["activeKeyId"] = keyId });
    }
}

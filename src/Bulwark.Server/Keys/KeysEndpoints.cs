using Bulwark.Client.Contracts;
using Bulwark.Core.Identity;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bulwark.Server.Keys;

/// <summary>API key management. A key's secret appears in exactly one response: the one that creates it.</summary>
internal static class KeysEndpoints
{
    private const int MaxNameLength = 128;

    public static IEndpointRouteBuilder MapKeys(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/keys").WithTags("Keys").RequirePermission(Permissions.KeysManage);
        group.MapPost("/", CreateAsync).WithName("CreateApiKey").AcceptsJson();
        group.MapGet("/", ListAsync).WithName("ListApiKeys");
        group.MapDelete("/{prefix}", RevokeAsync).WithName("RevokeApiKey");
        return app;
    }

    private static async Task<Results<Created<CreatedApiKeyInfo>, ProblemHttpResult>> CreateAsync(
        CreateApiKeyRequest request, ApiKeyService keys, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > MaxNameLength || request.Name.Any(char.IsControl))
        {
            return Problems.Of(ErrorCodes.InvalidRequest, 400, $"Name must be 1-{MaxNameLength} printable characters.");
        }

        if (request.Scopes is not { Count: > 0 } || request.Scopes.Count > 64)
        {
            return Problems.Of(ErrorCodes.ScopeInvalid, 400, "A key needs between 1 and 64 scopes.");
        }

        if (request.Scopes.FirstOrDefault(s => s is null || !Permissions.IsValidScope(s)) is { } bad || request.Scopes.Any(s => s is null))
        {
            return Problems.Of(ErrorCodes.ScopeInvalid, 400,
                "Unknown scope. Valid: admin, datasets:read, datasets:write, models:read, models:write, models:promote, keys:manage, audit:read, predict:<model>, predict:*.");
        }

        if (request.ExpiresAt is { } expires && expires <= time.GetUtcNow())
        {
            return Problems.Of(ErrorCodes.InvalidRequest, 400, "ExpiresAt must be in the future.");
        }

        var caller = context.GetPrincipal();
        var created = await keys.CreateAsync(request.Name, request.Scopes, request.ExpiresAt, caller.Id, context.ClientAddress(), cancellationToken);
        var warnings = request.ExpiresAt is null ? new[] { "key has no expiry" } : [];
        return TypedResults.Created($"/api/v1/keys/{created.Key.Prefix}", new CreatedApiKeyInfo(created.Plaintext, ToInfo(created.Key), warnings));
    }

    private static async Task<Ok<ApiKeyInfo[]>> ListAsync(ApiKeyService keys, CancellationToken cancellationToken) =>
        TypedResults.Ok((await keys.ListAsync(cancellationToken)).Select(ToInfo).ToArray());

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string prefix, ApiKeyService keys, HttpContext context, CancellationToken cancellationToken) =>
        await keys.RevokeAsync(prefix, context.GetPrincipal().Id, context.ClientAddress(), cancellationToken)
            ? TypedResults.NoContent()
            : Problems.Of(ErrorCodes.KeyNotFound, 404, $"No API key with prefix '{prefix}'.");

    private static ApiKeyInfo ToInfo(ApiKey key) => new(
        key.Prefix,
        key.Name,
        key.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        key.CreatedAt,
        key.ExpiresAt,
        key.RevokedAt,
        key.CreatedBy);
}

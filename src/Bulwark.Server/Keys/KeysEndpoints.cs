using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Identity;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bulwark.Server.Keys;

/// <summary>API key management. A key's secret appears in exactly one response: the one that creates it.</summary>
/// <remarks>
/// <c>keys:manage</c> alone must not be a path to more privilege (OWASP ASVS 5.0 V8.2, least privilege): a caller may
/// only grant scopes it holds itself (<see cref="BulwarkPrincipal.Has"/>, so <c>predict:*</c> grants any
/// <c>predict:&lt;model&gt;</c>), which keeps delegation useful — an operator holding <c>predict:fraud</c> and
/// <c>keys:manage</c> can hand a CI job a <c>predict:fraud</c> key — without letting it mint anything stronger.
/// The key-management scopes themselves (<c>admin</c>, <c>keys:manage</c>) are granted only by <c>admin</c>: otherwise
/// a keys:manage key could clone itself indefinitely and outlive its own revocation. For the same reason only
/// <c>admin</c> may revoke a key holding <c>admin</c> or <c>keys:manage</c>, so a leaked keys:manage key cannot lock
/// the administrators out.
/// </remarks>
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
        CreateApiKeyRequest request, ApiKeyService keys, AuditLedger audit, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
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
                "Unknown scope. Valid: admin, datasets:read, datasets:write, models:read, models:write, models:train, models:promote, models:export, " +
                "keys:manage, audit:read, users:manage, policies:manage, projects:manage, metrics:read, predict, predict:<model>, predict:*.");
        }

        if (request.ExpiresAt is { } expires && expires <= time.GetUtcNow())
        {
            return Problems.Of(ErrorCodes.InvalidRequest, 400, "ExpiresAt must be in the future.");
        }

        var caller = context.GetPrincipal();
        if (request.Scopes.FirstOrDefault(s => !MayGrant(caller, s)) is { } withheld)
        {
            return await DenyAsync(context, audit, caller, "key.create", "key/(new)", withheld,
                $"This API key may not grant the scope '{withheld}': a key can only grant scopes it holds, and only admin grants admin or keys:manage.");
        }

        if (request.InstanceWide)
        {
            // An instance-wide key crosses every tenant boundary: instance administrators only, and read-only
            // instance-level scopes only (nothing that touches a project's data or models).
            if (!IsInstanceAdmin(context))
            {
                return await DenyAsync(context, audit, caller, "key.create", "key/(new)", "*", "Only an instance administrator may create an instance-wide key.");
            }

            if (request.Scopes.FirstOrDefault(s => !InstanceWideScopes.Contains(s)) is { } notReadOnly)
            {
                return Problems.Of(ErrorCodes.ScopeInvalid, 400,
                    $"An instance-wide key may only hold {string.Join(", ", InstanceWideScopes)}; '{notReadOnly}' is not one of them.");
            }
        }

        var created = await keys.CreateAsync(request.InstanceWide ? Core.Projects.ProjectIds.AllProjects : caller.ProjectId, request.Name, request.Scopes, request.ExpiresAt, caller.Id, context.ClientAddress(), cancellationToken);
        var warnings = request.ExpiresAt is null ? new[] { NoExpiryWarning } : [];
        return TypedResults.Created($"/api/v1/keys/{created.Key.Prefix}", new CreatedApiKeyInfo(created.Plaintext, ToInfo(created.Key), warnings));
    }

    private static readonly string[] InstanceWideScopes = [Permissions.MetricsRead, Permissions.AuditRead, Permissions.IncidentsRead];

    /// <summary>Shown when a key is issued without an expiry: the reason, so the habit is learned rather than just flagged.</summary>
    internal const string NoExpiryWarning =
        "key has no expiry: a leaked key without one works until someone notices and revokes it; set expiresAt (e.g. 90 days) and rotate (PCI DSS 4.0 req. 8.6.3)";

    private static async Task<Ok<ApiKeyInfo[]>> ListAsync(ApiKeyService keys, HttpContext context, CancellationToken cancellationToken)
    {
        var caller = context.GetPrincipal();
        return TypedResults.Ok((await keys.ListAsync(caller.ProjectId, IsInstanceAdmin(context), cancellationToken)).Select(ToInfo).ToArray());
    }

    /// <summary>Instance-wide admins also see and revoke the instance-wide keys (such as the one <c>bulwark init</c> issues).</summary>
    private static bool IsInstanceAdmin(HttpContext context) => context.IsInstanceAdmin();

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string prefix, ApiKeyService keys, AuditLedger audit, HttpContext context, CancellationToken cancellationToken)
    {
        var caller = context.GetPrincipal();
        var key = await keys.FindAsync(caller.ProjectId, prefix, IsInstanceAdmin(context), cancellationToken);
        if (key is null)
        {
            return Problems.Of(ErrorCodes.KeyNotFound, 404, $"No API key with prefix '{prefix}'.");
        }

        var scopes = key.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!caller.Scopes.Contains(Permissions.Admin) && scopes.FirstOrDefault(IsKeyManagementScope) is { } protectedScope)
        {
            return await DenyAsync(context, audit, caller, "key.revoke", "key/" + key.Prefix, protectedScope,
                $"Only an admin key may revoke a key holding '{protectedScope}'.");
        }

        return await keys.RevokeAsync(caller.ProjectId, prefix, caller.Id, context.ClientAddress(), IsInstanceAdmin(context), cancellationToken)
            ? TypedResults.NoContent()
            : Problems.Of(ErrorCodes.KeyNotFound, 404, $"No API key with prefix '{prefix}'.");
    }

    /// <summary>Scopes that confer control over keys: only admin grants them or revokes their holders.</summary>
    private static bool IsKeyManagementScope(string scope) => scope is Permissions.Admin or Permissions.KeysManage;

    /// <summary>May <paramref name="caller"/> put <paramref name="scope"/> on a new key (see the type's remarks).</summary>
    internal static bool MayGrant(BulwarkPrincipal caller, string scope) =>
        IsKeyManagementScope(scope) ? caller.Scopes.Contains(Permissions.Admin) : caller.Has(scope);

    private static async Task<ProblemHttpResult> DenyAsync(
        HttpContext context, AuditLedger audit, BulwarkPrincipal caller, string action, string target, string scope, string detail)
    {
        await audit.AppendAsync(new AuditEntry(AuditCodes.AccessDenied, action, caller.Id, target, "denied", context.ClientAddress(),
            new Dictionary<string, object?> { ["method"] = context.Request.Method, ["scope"] = scope }, caller.ProjectId));
        return Problems.Of(ErrorCodes.Forbidden, StatusCodes.Status403Forbidden, detail);
    }

    private static ApiKeyInfo ToInfo(ApiKey key) => new(
        key.Prefix,
        key.Name,
        key.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        key.CreatedAt,
        key.ExpiresAt,
        key.RevokedAt,
        key.CreatedBy,
        key.ProjectId);
}

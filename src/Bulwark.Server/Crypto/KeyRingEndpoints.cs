using Bulwark.Client.Contracts;
using Bulwark.Core.Crypto;
using Bulwark.Core.Crypto.Envelopes;
using Bulwark.Core.Identity;
using Bulwark.Core.Storage;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bulwark.Server.Crypto;

/// <summary>
/// The master key ring (<c>/api/v1/keyring</c>; <c>/api/v1/keys</c> is API keys). Instance administrators only, and every
/// change needs a session signed in with MFA: whoever controls the ring controls whether any data at rest can be read.
/// </summary>
/// <remarks>
/// Destroying a version is irreversible, so it takes two different administrators (four eyes): one requests it, repeating
/// the version id as confirmation, another approves it within <c>Bulwark:Keys:DestroyApprovalWindow</c>.
/// </remarks>
internal static class KeyRingEndpoints
{
    public static IEndpointRouteBuilder MapKeyRing(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/keyring", ListAsync).WithName("GetKeyRing").WithTags("KeyRing").RequirePermission(Permissions.Admin).InstanceWide();
        app.MapGet("/api/v1/keyring/inventory", InventoryAsync).WithName("GetKeyRingInventory").WithTags("KeyRing").RequirePermission(Permissions.Admin).InstanceWide();

        var group = app.MapGroup("/api/v1/keyring").WithTags("KeyRing").RequirePermission(Permissions.Admin).InstanceWide().RequireStepUp();
        group.MapPost("/rotate", RotateAsync).WithName("RotateKeyRing").AcceptsJson();
        group.MapPost("/rewrap", RewrapAsync).WithName("RewrapKeyRing").AcceptsJson();
        group.MapPost("/minimum-version", SetMinimumAsync).WithName("SetKeyRingMinimumVersion").AcceptsJson();
        group.MapPost("/versions/{version}/disable", DisableAsync).WithName("DisableKeyVersion").AcceptsJson();
        group.MapPost("/versions/{version}/enable", EnableAsync).WithName("EnableKeyVersion").AcceptsJson();
        group.MapPost("/versions/{version}/destroy", RequestDestroyAsync).WithName("RequestKeyVersionDestroy").AcceptsJson();
        group.MapPost("/versions/{version}/destroy/approve", ApproveDestroyAsync).WithName("ApproveKeyVersionDestroy").AcceptsJson();
        group.MapDelete("/versions/{version}/destroy", CancelDestroyAsync).WithName("CancelKeyVersionDestroy");
        return app;
    }

    private static async Task<Ok<KeyRingInfo>> ListAsync(KeyRingService service, BulwarkDbContext db, IOptions<KeysOptions> options, TimeProvider time,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await DescribeAsync(service, db, options.Value, time, cancellationToken));

    private static async Task<Ok<KeyRingInventoryInfo>> InventoryAsync(KeyRingService service, CancellationToken cancellationToken)
    {
        var inventory = await service.InventoryAsync(cancellationToken);
        return TypedResults.Ok(new KeyRingInventoryInfo(inventory.ByVersion, [.. inventory.Stores.Select(s => new StoreInventoryInfo(s.Store, s.ByVersion))]));
    }

    private static async Task<Results<Ok<KeyVersionInfo>, ProblemHttpResult>> RotateAsync(KeyRingActionRequest request, KeyRingService service, HttpContext context,
        CancellationToken cancellationToken)
    {
        if (Invalid(request.Reason, required: false) is { } invalid)
        {
            return invalid;
        }

        var outcome = await service.RotateAsync(context.GetPrincipal().Id, context.ClientAddress(), "manual", request.Reason, null, cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(Describe(outcome.Value, 0, service.Ring.PrimaryKeyId)) : Problems.From(outcome.Failure);
    }

    private static async Task<Results<Ok<KeyRingRewrapInfo>, ProblemHttpResult>> RewrapAsync(KeyRingActionRequest request, KeyRingService service, HttpContext context,
        CancellationToken cancellationToken)
    {
        if (Invalid(request.Reason, required: false) is { } invalid)
        {
            return invalid;
        }

        var report = await service.RewrapAsync(context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return TypedResults.Ok(new KeyRingRewrapInfo(report.Primary, report.Rewrapped, report.Failed,
            [.. report.Stores.Select(s => new StoreRewrapInfo(s.Store, s.Rewrapped, s.Current, s.Failed, s.Changed))], report.After.ByVersion));
    }

    private static async Task<Results<Ok<KeyRingMinimumRequest>, ProblemHttpResult>> SetMinimumAsync(KeyRingMinimumRequest request, KeyRingService service, HttpContext context,
        CancellationToken cancellationToken)
    {
        var outcome = await service.SetMinimumVersionAsync(request.Version, context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(new KeyRingMinimumRequest(outcome.Value)) : Problems.From(outcome.Failure);
    }

    private static Task<Results<Ok<KeyVersionInfo>, ProblemHttpResult>> DisableAsync(string version, KeyRingActionRequest request, KeyRingService service,
        HttpContext context, CancellationToken cancellationToken) => SetStateAsync(version, false, request, service, context, cancellationToken);

    private static Task<Results<Ok<KeyVersionInfo>, ProblemHttpResult>> EnableAsync(string version, KeyRingActionRequest request, KeyRingService service,
        HttpContext context, CancellationToken cancellationToken) => SetStateAsync(version, true, request, service, context, cancellationToken);

    private static async Task<Results<Ok<KeyVersionInfo>, ProblemHttpResult>> SetStateAsync(string version, bool enabled, KeyRingActionRequest request,
        KeyRingService service, HttpContext context, CancellationToken cancellationToken)
    {
        if (Invalid(request.Reason, required: false) is { } invalid)
        {
            return invalid;
        }

        var outcome = await service.SetStateAsync(version, enabled, request.Force, context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(Describe(outcome.Value, 0, service.Ring.PrimaryKeyId)) : Problems.From(outcome.Failure);
    }

    private static async Task<Results<Accepted<KeyDestroyRequestInfo>, ProblemHttpResult>> RequestDestroyAsync(string version, KeyDestroyRequestBody request,
        KeyRingService service, IOptions<KeysOptions> options, HttpContext context, CancellationToken cancellationToken)
    {
        if (Invalid(request.Reason, required: true) is { } invalid)
        {
            return invalid;
        }

        if (!string.Equals(request.Confirm, version, StringComparison.Ordinal))
        {
            return Problems.Of(ErrorCodes.KeyDestroyConfirmation, 400, $"Destroying a key version is irreversible: repeat the version id ('{version}') in 'confirm'.");
        }

        var outcome = await service.RequestDestroyAsync(version, request.Reason, context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded
            ? TypedResults.Accepted($"/api/v1/keyring/versions/{version}/destroy/approve", Describe(outcome.Value, options.Value))
            : Problems.From(outcome.Failure);
    }

    private static async Task<Results<Ok<KeyVersionInfo>, ProblemHttpResult>> ApproveDestroyAsync(string version, KeyRingService service, HttpContext context,
        CancellationToken cancellationToken)
    {
        var outcome = await service.ApproveDestroyAsync(version, context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(Describe(outcome.Value, 0, service.Ring.PrimaryKeyId)) : Problems.From(outcome.Failure);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> CancelDestroyAsync(string version, KeyRingService service, HttpContext context,
        CancellationToken cancellationToken)
    {
        var outcome = await service.CancelDestroyAsync(version, context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded ? TypedResults.NoContent() : Problems.From(outcome.Failure);
    }

    private static ProblemHttpResult? Invalid(string? reason, bool required) =>
        (required && string.IsNullOrWhiteSpace(reason)) || reason?.Length > 500 || reason?.Any(char.IsControl) == true
            ? Problems.Of(ErrorCodes.KeyRingInvalid, 400, required ? "A reason is required: 1–500 characters, no control characters." : "The reason must be at most 500 characters, no control characters.")
            : null;

    internal static async Task<KeyRingInfo> DescribeAsync(KeyRingService service, BulwarkDbContext db, KeysOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        var ring = service.Ring;
        EnvelopeInventory inventory = await service.InventoryAsync(cancellationToken);
        var now = time.GetUtcNow();
        var signing = new List<SigningKeyAgeInfo>();
        foreach (var key in await db.SigningKeys.AsNoTracking().Where(k => k.RetiredAt == null).Select(k => new { k.KeyId, k.CreatedAt }).ToListAsync(cancellationToken))
        {
            signing.Add(new SigningKeyAgeInfo("jwt", key.KeyId, key.CreatedAt, Math.Round((now - key.CreatedAt).TotalDays, 1)));
        }

        foreach (var key in await db.AuditSigningKeys.AsNoTracking().Where(k => k.RetiredAt == null).Select(k => new { k.KeyId, k.CreatedAt }).ToListAsync(cancellationToken))
        {
            signing.Add(new SigningKeyAgeInfo("audit-checkpoint", key.KeyId, key.CreatedAt, Math.Round((now - key.CreatedAt).TotalDays, 1)));
        }

        return new KeyRingInfo(ring.ProviderKind, ring.CanCreateKeys, ring.PrimaryKeyId, ring.MinimumVersion, ring.DerivationRootId,
            [.. ring.Versions.Select(v => Describe(v, inventory.CountFor(v.Id), ring.PrimaryKeyId, now))],
            ring.PendingDestroy is { } pending ? Describe(pending, options) : null, signing);
    }

    private static KeyVersionInfo Describe(KeyVersion version, long objects, string primary, DateTimeOffset? now = null)
    {
        var age = (now ?? version.CreatedAt) - version.CreatedAt;
        return new KeyVersionInfo(version.Id, version.Version, version.State, version.Id == primary, version.CreatedAt, version.StateChangedAt,
            Math.Round(age.TotalDays, 1), objects);
    }

    private static KeyDestroyRequestInfo Describe(KeyDestroyRequest request, KeysOptions options) =>
        new(request.VersionId, request.RequestedBy, request.RequestedAt, request.RequestedAt + options.DestroyApprovalWindow, request.Reason);
}

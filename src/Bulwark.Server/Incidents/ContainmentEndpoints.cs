using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Identity;
using Bulwark.Core.Incidents;
using Bulwark.Core.Incidents.Containment;
using Bulwark.Core.Registry;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bulwark.Server.Incidents;

/// <summary>
/// Containment, eradication and recovery actions. Every action needs <c>incidents:manage</c> and a session signed in with
/// MFA, is audited, and takes effect before the response is sent: the next request meets it.
/// </summary>
internal static class ContainmentEndpoints
{
    public static IEndpointRouteBuilder MapContainment(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/containment", StatusAsync).WithName("GetContainment").WithTags("Incidents")
            .RequirePermission(Permissions.IncidentsRead).InstanceWide();

        var group = app.MapGroup("/api/v1/containment").WithTags("Incidents").RequirePermission(Permissions.IncidentsManage).InstanceWide().RequireStepUp();
        group.MapPost("/lockdown", LockdownAsync).WithName("SetLockdown").AcceptsJson();
        group.MapPost("/freeze", FreezeAsync).WithName("SetFreeze").AcceptsJson();
        group.MapPost("/networks/block", BlockAsync).WithName("BlockNetwork").AcceptsJson();
        group.MapPost("/networks/unblock", UnblockAsync).WithName("UnblockNetwork").AcceptsJson();
        group.MapPost("/revoke", RevokeAsync).WithName("RevokePrincipal").AcceptsJson();
        group.MapPost("/users/{login}/disable", DisableUserAsync).WithName("ContainDisableUser").AcceptsJson();
        group.MapPost("/rotate-keys", RotateKeysAsync).WithName("RotateSigningKeys").AcceptsJson();
        group.MapPost("/rotate-master-key", RotateMasterKeyAsync).WithName("RotateMasterKey").AcceptsJson();
        group.MapPost("/reverify", ReverifyAsync).WithName("ReverifyEverything").AcceptsJson();

        // Project-scoped: the version belongs to the project of the request.
        app.MapPost("/api/v1/models/{name}/versions/{version:int}/quarantine", QuarantineAsync).WithName("QuarantineModelVersion").WithTags("Incidents")
            .RequirePermission(Permissions.IncidentsManage).RequireStepUp().AcceptsJson();

        // Returning a version to service is an approval: an approver (models:promote), after a clean verification.
        app.MapPost("/api/v1/models/{name}/versions/{version:int}/reinstate", ReinstateAsync).WithName("ReinstateModelVersion").WithTags("Incidents")
            .RequirePermission(Permissions.ModelsPromote).RequireStepUp().AcceptsJson();
        return app;
    }

    private static async Task<Ok<ContainmentStatus>> StatusAsync(ContainmentState state, Core.Storage.BulwarkDbContext db, CancellationToken cancellationToken)
    {
        await state.SyncAsync(cancellationToken);
        var controls = Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            db.ContainmentControls.Where(c => c.LiftedAt == null).OrderBy(c => c.CreatedAt), cancellationToken);
        return TypedResults.Ok(new ContainmentStatus(state.Lockdown, state.Frozen, [.. state.BlockedNetworks.Select(n => n.ToString())],
            [.. (await controls).Select(c => new ContainmentControlInfo(c.Kind, c.Value, c.Reason, c.IncidentNumber, c.CreatedBy, c.CreatedAt))]));
    }

    private static async Task<Results<Ok<ContainmentResult>, ProblemHttpResult>> LockdownAsync(ContainmentToggleRequest request, ContainmentService containment,
        HttpContext context, CancellationToken cancellationToken)
    {
        var outcome = await containment.SetLockdownAsync(request.On, request.Reason ?? "", request.Incident, context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded
            ? TypedResults.Ok(new ContainmentResult("lockdown", request.On ? "lockdown in force: only administrators and security officers signed in with MFA may act" : "lockdown lifted", request.Incident))
            : Problems.From(outcome.Failure);
    }

    private static async Task<Results<Ok<ContainmentResult>, ProblemHttpResult>> FreezeAsync(ContainmentToggleRequest request, ContainmentService containment,
        HttpContext context, CancellationToken cancellationToken)
    {
        var outcome = await containment.SetFreezeAsync(request.On, request.Reason ?? "", request.Incident, context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded
            ? TypedResults.Ok(new ContainmentResult("freeze", request.On ? "training, model imports and promotions are frozen" : "freeze lifted", request.Incident))
            : Problems.From(outcome.Failure);
    }

    private static async Task<Results<Ok<ContainmentResult>, ProblemHttpResult>> BlockAsync(NetworkBlockRequest request, ContainmentService containment,
        HttpContext context, CancellationToken cancellationToken)
    {
        var outcome = await containment.BlockNetworkAsync(request.Network ?? "", request.Reason ?? "", request.Incident, context.GetPrincipal().Id, context.ClientAddress(),
            context.Connection.RemoteIpAddress, cancellationToken);
        return outcome.Succeeded
            ? TypedResults.Ok(new ContainmentResult("block-network", "blocked " + outcome.Value.Value, request.Incident))
            : Problems.From(outcome.Failure);
    }

    private static async Task<Results<Ok<ContainmentResult>, ProblemHttpResult>> UnblockAsync(NetworkBlockRequest request, ContainmentService containment,
        HttpContext context, CancellationToken cancellationToken)
    {
        var outcome = await containment.UnblockNetworkAsync(request.Network ?? "", request.Reason ?? "", context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded
            ? TypedResults.Ok(new ContainmentResult("unblock-network", "unblocked " + outcome.Value.Value, request.Incident))
            : Problems.From(outcome.Failure);
    }

    private static async Task<Results<Ok<ContainmentResult>, ProblemHttpResult>> RevokeAsync(RevokePrincipalRequest request, ContainmentService containment,
        HttpContext context, CancellationToken cancellationToken)
    {
        if (request.Principal is not { Length: > 0 and <= 128 } principal || principal.Any(char.IsControl))
        {
            return Problems.Of(ErrorCodes.ContainmentInvalid, 400, "principal is user:<id>, key:<prefix> or client:<id>.");
        }

        // The same rule as user and key administration: only an admin revokes an admin, a security officer, or a credential
        // that reaches every project or manages keys, so one security officer cannot lock out the people who could stop them.
        // Endpoints of this group are instance-wide: the caller's admin can only come from a "*" grant.
        var caller = context.GetPrincipal();
        var outcome = await containment.RevokePrincipalAsync(principal, request.Reason ?? "", request.Incident, caller.Id, context.ClientAddress(),
            caller.Has(Permissions.Admin), cancellationToken);
        return outcome.Succeeded
            ? TypedResults.Ok(new ContainmentResult("revoke", "revoked " + outcome.Value, request.Incident))
            : Problems.From(outcome.Failure);
    }

    private static async Task<Results<Ok<ContainmentResult>, ProblemHttpResult>> DisableUserAsync(string login, ContainmentActionRequest request,
        ContainmentService containment, UserService users, UserDirectory directory, HttpContext context, CancellationToken cancellationToken)
    {
        if (await Identity.UsersEndpoints.ProtectedTargetAsync(login, users, directory, context.GetPrincipal(), cancellationToken))
        {
            return Problems.Of(ErrorCodes.Forbidden, 403, "Only an admin may disable an admin or security officer.");
        }

        var outcome = await containment.DisableUserAsync(login, request.Reason ?? "", request.Incident, context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded
            ? TypedResults.Ok(new ContainmentResult("disable-user", $"disabled {outcome.Value.Login}; every token and session revoked", request.Incident))
            : Problems.From(outcome.Failure);
    }

    private static async Task<Results<Ok<ContainmentResult>, ProblemHttpResult>> RotateKeysAsync(ContainmentActionRequest request, SigningKeyStore tokenKeys,
        AuditKeyStore auditKeys, AuditLedger ledger, IncidentService incidents, HttpContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > 500)
        {
            return Problems.Of(ErrorCodes.ContainmentInvalid, 400, "A containment action needs a reason: 1–500 characters.");
        }

        var actor = context.GetPrincipal().Id;
        var client = context.ClientAddress();
        var tokenKey = await tokenKeys.RotateAsync(actor, client, cancellationToken);
        var auditKey = await auditKeys.RotateAsync((db, id) => ledger.SaveChangesAsync(db, new AuditEntry(AuditCodes.AuditKeyRotated, "audit.rotate-key", actor,
            "audit-key/" + id, "success", client, new Dictionary<string, object?> { ["reason"] = request.Reason, ["incident"] = request.Incident }), cancellationToken), cancellationToken);
        var detail = $"token signing key now {tokenKey}, audit key now {auditKey} (retired keys keep verifying what they signed)";
        if (request.Incident is { } number)
        {
            await incidents.AddTimelineAsync(number, actor, "containment", detail + ": " + request.Reason, [], cancellationToken);
            await incidents.TickIfOpenAsync(number, IncidentPlaybooks.RotateKeys, detail, actor, client, cancellationToken);
        }

        return TypedResults.Ok(new ContainmentResult("rotate-keys", detail, request.Incident));
    }

    private static async Task<Results<Ok<ContainmentResult>, ProblemHttpResult>> RotateMasterKeyAsync(ContainmentActionRequest request, Core.Crypto.KeyRingService keyRing,
        IncidentService incidents, HttpContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > 500)
        {
            return Problems.Of(ErrorCodes.ContainmentInvalid, 400, "A containment action needs a reason: 1–500 characters.");
        }

        var actor = context.GetPrincipal().Id;
        var previous = keyRing.Ring.PrimaryKeyId;
        var rotated = await keyRing.RotateAsync(actor, context.ClientAddress(), "incident", request.Reason, request.Incident, cancellationToken);
        if (!rotated.Succeeded)
        {
            return Problems.From(rotated.Failure);
        }

        var keyId = rotated.Value.Id;
        var detail = $"master key version {keyId} is now primary: new data is encrypted under it; data under {previous} stays readable until rewrapped (bulwark keys rewrap)";

        // Not ticked as "keys rotated": data under the old version is not rewrapped yet, integrity subkeys stay derived from
        // the first key, and other replicas learn the new version only when restarted with the new key file. A stolen key
        // file is not contained by this alone; the responder ticks the item once those steps are done.
        if (request.Incident is { } number)
        {
            await incidents.AddTimelineAsync(number, actor, "containment", detail + ": " + request.Reason, [], cancellationToken);
        }

        return TypedResults.Ok(new ContainmentResult("rotate-master-key", detail, request.Incident));
    }

    private static async Task<Ok<ReverifyResult>> ReverifyAsync(ContainmentActionRequest request, ArtifactReverifier reverifier, AuditVerifier verifier,
        AuditLedger ledger, IncidentService incidents, HttpContext context, CancellationToken cancellationToken)
    {
        var actor = context.GetPrincipal().Id;
        var client = context.ClientAddress();
        var report = await reverifier.ReverifyAllAsync(actor, client, cancellationToken);
        var chain = await verifier.VerifyAsync(cancellationToken: cancellationToken);
        await ledger.AppendAsync(new AuditEntry(AuditCodes.AuditVerified, "audit.verify", actor, "audit", chain.Valid ? "success" : "failure", client,
            new Dictionary<string, object?> { ["eventsVerified"] = chain.EventsVerified, ["firstBrokenSequence"] = chain.FirstBrokenSequence, ["incident"] = request.Incident }));
        if (request.Incident is { } number)
        {
            var text = $"re-verified {report.Checked} model versions ({report.Failures.Count} failed) and the audit chain ({(chain.Valid ? "valid" : "BROKEN at " + chain.FirstBrokenSequence)})";
            await incidents.AddTimelineAsync(number, actor, "eradication", text, [], cancellationToken);
            if (report.Failures.Count == 0)
            {
                await incidents.TickIfOpenAsync(number, IncidentPlaybooks.ReverifyArtifacts, text, actor, client, cancellationToken);
            }

            if (chain.Valid)
            {
                await incidents.TickIfOpenAsync(number, IncidentPlaybooks.VerifyAuditChain, text, actor, client, cancellationToken);
            }
        }

        return TypedResults.Ok(new ReverifyResult(report.Checked, [.. report.Failures.Select(f => $"{f.ProjectId}/{f.Model}/{f.Version}: {f.Code} ({f.Reason})")],
            chain.Valid, chain.FirstBrokenSequence, chain.Reason));
    }

    private static async Task<Results<Ok<QuarantineResult>, ProblemHttpResult>> QuarantineAsync(string name, int version, ContainmentActionRequest request,
        ContainmentService containment, HttpContext context, CancellationToken cancellationToken)
    {
        var caller = context.GetPrincipal();
        var outcome = await containment.QuarantineAsync(caller.ProjectId, name, version, request.Reason ?? "", request.Incident, caller.Id, context.ClientAddress(), cancellationToken);
        if (!outcome.Succeeded)
        {
            return Problems.From(outcome.Failure);
        }

        var fallback = outcome.Value.Fallback?.Version;
        return TypedResults.Ok(new QuarantineResult(name, version, fallback, fallback is { } f
            ? $"version {version} quarantined; version {f} serves instead"
            : $"version {version} quarantined; no other verified version, the model answers 503 {ErrorCodes.ModelQuarantined}"));
    }

    private static async Task<Results<Ok<QuarantineResult>, ProblemHttpResult>> ReinstateAsync(string name, int version, ReinstateRequest request,
        ModelQuarantine quarantine, IncidentService incidents, HttpContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Evidence) || request.Evidence.Length > 2000)
        {
            return Problems.Of(ErrorCodes.ContainmentInvalid, 400, "Reinstating needs evidence: 1–2000 characters saying how the artifacts were restored and checked.");
        }

        var caller = context.GetPrincipal();
        var outcome = await quarantine.ReinstateAsync(caller.ProjectId, name, version, request.Evidence, caller.Id, context.ClientAddress(), cancellationToken);
        if (!outcome.Succeeded)
        {
            return Problems.From(outcome.Failure);
        }

        if (request.Incident is { } number)
        {
            var text = $"reinstated {name} version {version} after a clean verification: {request.Evidence}";
            await incidents.AddTimelineAsync(number, caller.Id, "recovery", text, [], cancellationToken);
            await incidents.TickIfOpenAsync(number, IncidentPlaybooks.RestoreService, text, caller.Id, context.ClientAddress(), cancellationToken);
        }

        return TypedResults.Ok(new QuarantineResult(name, version, null, $"version {version} verified and returned to 'retired'; promote it to serve it again"));
    }
}

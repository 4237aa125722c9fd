using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Identity;
using Bulwark.Server.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bulwark.Server.Audit;

/// <summary>Audit ledger verification. The verification itself is audited, so who checked the ledger and when is on record.</summary>
internal static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/audit").WithTags("Audit").RequirePermission(Permissions.AuditRead).InstanceWide();
        group.MapPost("/verify", VerifyAsync).WithName("VerifyAuditLedger");
        return app;
    }

    private static async Task<Ok<AuditVerifyResult>> VerifyAsync(AuditVerifier verifier, AuditLedger ledger, HttpContext context, CancellationToken cancellationToken)
    {
        var result = await verifier.VerifyAsync(cancellationToken);
        await ledger.AppendAsync(new AuditEntry(AuditCodes.AuditVerified, "audit.verify", context.GetPrincipal().Id, "audit", result.Valid ? "success" : "failure",
            context.ClientAddress(), new Dictionary<string, object?>
            {
                ["eventsVerified"] = result.EventsVerified,
                ["firstBrokenSequence"] = result.FirstBrokenSequence,
            }));
        return TypedResults.Ok(new AuditVerifyResult(result.Valid, result.EventsVerified, result.FirstBrokenSequence, result.Reason, result.HeadHash));
    }
}

using Bulwark.Client.Contracts;
using Bulwark.Core.Access;
using Bulwark.Core.Audit;
using Bulwark.Core.Identity;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bulwark.Server.Audit;

/// <summary>Audit ledger verification. The verification itself is audited, so who checked the ledger and when is on record.</summary>
internal static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/audit").WithTags("Audit").RequirePermission(Permissions.AuditRead).InstanceWide();
        group.MapPost("/verify", VerifyAsync).WithName("VerifyAuditLedger");

        // Project-scoped: a project's auditors read their project's events.
        app.MapGet("/api/v1/audit/events", SearchAsync).WithName("SearchAuditEvents").WithTags("Audit").RequirePermission(Permissions.AuditRead);
        return app;
    }

    private static async Task<Results<Ok<AuditEventPage>, ProblemHttpResult>> SearchAsync(
        AuditSearch search, AuditLedger ledger, RoleRegistry roles, HttpContext context, CancellationToken cancellationToken,
        string? principal = null, string? action = null, string? resource = null, string? outcome = null, string? from = null, string? to = null,
        long after = 0, int limit = 100, bool includeInstanceEvents = false)
    {
        var caller = context.GetPrincipal();
        if (limit is < 1 or > AuditSearch.MaxPageSize || after < 0)
        {
            return Problems.Of(ErrorCodes.InvalidRequest, 400, $"limit is 1–{AuditSearch.MaxPageSize}; after is a sequence number (0 or more).");
        }

        if (new[] { principal, action, resource, outcome }.Any(v => v is { Length: > 256 } || v is not null && v.Any(char.IsControl)))
        {
            return Problems.Of(ErrorCodes.InvalidRequest, 400, "Filters are at most 256 printable characters.");
        }

        if (!TryParseTime(from, out var fromTime) || !TryParseTime(to, out var toTime))
        {
            return Problems.Of(ErrorCodes.InvalidRequest, 400, "from and to are ISO 8601 times with an offset, e.g. 2026-11-01T00:00:00Z.");
        }

        // Instance-wide events (sign-ins, user administration) only for auditors whose audit:read is instance-wide.
        if (includeInstanceEvents && context.GetIdentityOrNull()?.ActIn(Core.Projects.ProjectIds.AllProjects, roles.PermissionsOf)?.Has(Permissions.AuditRead) != true)
        {
            return Problems.Of(ErrorCodes.Forbidden, 403, "Instance-wide events need audit:read in every project (\"*\").");
        }

        var (events, next) = await search.SearchAsync(new AuditSearch.Query(caller.ProjectId, includeInstanceEvents, principal, action, resource, outcome,
            fromTime, toTime, after, limit), cancellationToken);

        // Reading the ledger is itself on the ledger (who looked at what, when).
        await ledger.AppendAsync(new AuditEntry(AuditCodes.AuditSearched, "audit.search", caller.Id, "audit", "success", context.ClientAddress(),
            new Dictionary<string, object?>
            {
                ["principal"] = principal,
                ["action"] = action,
                ["resource"] = resource,
                ["outcome"] = outcome,
                ["from"] = from,
                ["to"] = to,
                ["after"] = after,
                ["returned"] = events.Count,
                ["instanceEvents"] = includeInstanceEvents,
            }, caller.ProjectId));
        return TypedResults.Ok(new AuditEventPage([.. events.Select(e => new AuditEventInfo(e.Sequence, e.Timestamp, e.Code, e.Action, e.Principal, e.Resource,
            e.Outcome, e.ProjectId, e.ClientAddress, System.Text.Json.JsonDocument.Parse(e.Details).RootElement.Clone(), e.Hash))], next));
    }

    private static bool TryParseTime(string? text, out DateTimeOffset? value)
    {
        value = null;
        if (text is null)
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var parsed)
            && (text.EndsWith('Z') || text.Contains('+', StringComparison.Ordinal) || text.LastIndexOf('-') > 9))
        {
            value = parsed;
            return true;
        }

        return false;
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

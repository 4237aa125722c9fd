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

        // Each walks or streams the whole ledger (an export may also sign a checkpoint): one small budget per principal.
        group.MapPost("/verify", VerifyAsync).WithName("VerifyAuditLedger").RequireRateLimiting(RateLimiting.AuditPolicy);
        group.MapGet("/keys", Keys).WithName("ListAuditKeys");
        group.MapGet("/export", ExportAsync).WithName("ExportAuditLedger").RequireRateLimiting(RateLimiting.AuditPolicy);
        group.MapGet("/archives", ArchivesAsync).WithName("ListAuditArchives");

        // Signing on demand writes to the ledger and uses the audit key: not for audit:read, a read-only scope that
        // instance-wide SIEM keys hold. The checkpoint worker signs periodically and at shutdown without anyone asking.
        app.MapPost("/api/v1/audit/checkpoints", CheckpointAsync).WithName("SignAuditCheckpoint").WithTags("Audit")
            .RequirePermission(Permissions.Admin).InstanceWide().RequireRateLimiting(RateLimiting.AuditPolicy);

        // Archiving deletes rows from the database (after writing and verifying the file): administrators, with MFA.
        app.MapPost("/api/v1/audit/archive", ArchiveAsync).WithName("ArchiveAuditLedger").WithTags("Audit")
            .RequirePermission(Permissions.Admin).InstanceWide().RequireStepUp();

        // Rotating the key that vouches for the ledger is a key-management act: administrators, signed in with MFA.
        app.MapPost("/api/v1/audit/keys/rotate", RotateKeyAsync).WithName("RotateAuditKey").WithTags("Audit")
            .RequirePermission(Permissions.KeysManage).InstanceWide().RequireStepUp();

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
                // Filters are typed by people and may hold an e-mail address or a card number: recorded masked.
                ["principal"] = Core.Compliance.SensitiveText.RedactOrNull(principal),
                ["action"] = action,
                ["resource"] = Core.Compliance.SensitiveText.RedactOrNull(resource),
                ["outcome"] = outcome,
                ["from"] = from,
                ["to"] = to,
                ["after"] = after,
                ["returned"] = events.Count,
                ["instanceEvents"] = includeInstanceEvents,
            }, caller.ProjectId));
        return TypedResults.Ok(new AuditEventPage([.. events.Select(e => new AuditEventInfo(e.Sequence, e.Timestamp, e.Code, e.Action, e.Principal, e.Resource,
            e.Outcome, e.ProjectId, e.ClientAddress, System.Text.Json.JsonDocument.Parse(e.Details).RootElement.Clone(), e.Hash, e.AuthMethod, e.UserAgent))], next));
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

    private static async Task<Results<Ok<AuditVerifyResult>, ProblemHttpResult>> VerifyAsync(AuditVerifier verifier, AuditLedger ledger, HttpContext context,
        CancellationToken cancellationToken, long? from = null, long? to = null)
    {
        if (from is < 1 || to is < 1 || from > to)
        {
            return Problems.Of(ErrorCodes.InvalidRequest, 400, "from and to are sequence numbers (1 or more), from ≤ to.");
        }

        var result = await verifier.VerifyAsync(from, to, cancellationToken);
        await ledger.AppendAsync(new AuditEntry(AuditCodes.AuditVerified, "audit.verify", context.GetPrincipal().Id, "audit", result.Valid ? "success" : "failure",
            context.ClientAddress(), new Dictionary<string, object?>
            {
                ["from"] = from,
                ["to"] = to,
                ["eventsVerified"] = result.EventsVerified,
                ["firstBrokenSequence"] = result.FirstBrokenSequence,
                ["checkpointsVerified"] = result.CheckpointsVerified,
            }));
        return TypedResults.Ok(new AuditVerifyResult(result.Valid, result.EventsVerified, result.FirstBrokenSequence, result.Reason, result.HeadHash,
            result.CheckpointsVerified, result.LastCheckpointSequence));
    }

    private static async Task<Results<Ok<AuditCheckpointInfo>, ProblemHttpResult>> CheckpointAsync(AuditCheckpointer checkpointer, HttpContext context,
        CancellationToken cancellationToken)
    {
        var checkpoint = await checkpointer.CheckpointAsync(context.GetPrincipal().Id, context.ClientAddress(), cancellationToken: cancellationToken);
        return checkpoint is null
            ? Problems.Of(ErrorCodes.AuditEmpty, 409, "The ledger has no events to sign yet.")
            : TypedResults.Ok(ToInfo(checkpoint));
    }

    internal static AuditCheckpointInfo ToInfo(AuditCheckpoint c) =>
        new(c.Sequence, c.HeadHash, c.SignedAt, c.KeyId, System.Text.Json.JsonDocument.Parse(c.Envelope).RootElement.Clone());

    private static Ok<AuditKeyList> Keys(AuditKeyStore keys)
    {
        var set = keys.Current;
        return TypedResults.Ok(new AuditKeyList(set.ActiveKeyId,
            [.. set.Trusted.Values.OrderBy(k => k.CreatedAt).Select(k => new AuditKeyInfo(k.KeyId, k.Pem, k.CreatedAt, k.RetiredAt))]));
    }

    private static async Task<IResult> ExportAsync(AuditExporter exporter, AuditLedger ledger, HttpContext context, CancellationToken cancellationToken,
        long from = 1, long? to = null)
    {
        if (from < 1 || to is < 1 || from > to)
        {
            return Problems.Of(ErrorCodes.InvalidRequest, 400, "from and to are sequence numbers (1 or more), from ≤ to.");
        }

        var caller = context.GetPrincipal();
        var range = await exporter.PlanAsync(from, to, caller.Id, context.ClientAddress(), cancellationToken);
        if (range is null)
        {
            return Problems.Of(ErrorCodes.AuditEmpty, 404, "The ledger has no events in that range.");
        }

        // Recorded before the first byte leaves: an export cut short by the client is still on record.
        await ledger.AppendAsync(new AuditEntry(AuditCodes.AuditExported, "audit.export", caller.Id, "audit", "success", context.ClientAddress(),
            new Dictionary<string, object?> { ["from"] = range.From, ["to"] = range.To, ["end"] = range.End }));
        return new AuditExportResult(exporter, range);
    }

    private static async Task<Ok<IReadOnlyList<AuditArchiveInfo>>> ArchivesAsync(Core.Storage.BulwarkDbContext db, CancellationToken cancellationToken)
    {
        var rows = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            db.AuditArchives.OrderBy(a => a.FromSequence), cancellationToken);
        return TypedResults.Ok<IReadOnlyList<AuditArchiveInfo>>([.. rows.Select(Info)]);
    }

    private static async Task<Results<Ok<AuditArchiveInfo>, NoContent>> ArchiveAsync(AuditArchiver archiver, HttpContext context, CancellationToken cancellationToken)
    {
        var archive = await archiver.ArchiveAsync(context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return archive is null ? TypedResults.NoContent() : TypedResults.Ok(Info(archive));
    }

    private static AuditArchiveInfo Info(AuditArchive a) => new(a.FromSequence, a.ToSequence, a.EventCount, a.FileName, a.FileSha256, a.CreatedAt, a.PurgedAt);

    private static async Task<Ok<Dictionary<string, string>>> RotateKeyAsync(AuditKeyStore keys, AuditLedger ledger, HttpContext context,
        CancellationToken cancellationToken)
    {
        var caller = context.GetPrincipal();
        var keyId = await keys.RotateAsync((db, newKeyId) => ledger.SaveChangesAsync(db, new AuditEntry(AuditCodes.AuditKeyRotated, "audit.rotate-key",
            caller.Id, "audit-key/" + newKeyId, "success", context.ClientAddress()), cancellationToken), cancellationToken);
        return TypedResults.Ok(new Dictionary<string, string> { ["activeKeyId"] = keyId });
    }

    /// <summary>Streams the export as JSON Lines without buffering the ledger in memory.</summary>
    private sealed class AuditExportResult(AuditExporter exporter, AuditExporter.Range range) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.ContentType = "application/x-ndjson";
            httpContext.Response.Headers.ContentDisposition = $"attachment; filename=\"audit-{range.From}-{range.End}.jsonl\"";
            await exporter.WriteAsync(httpContext.Response.Body, range, httpContext.RequestAborted);
        }
    }
}

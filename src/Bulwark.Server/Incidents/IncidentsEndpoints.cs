using System.Text.Json;
using System.Text.Json.Nodes;
using Bulwark.Client.Contracts;
using Bulwark.Core.Identity;
using Bulwark.Core.Incidents;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bulwark.Server.Incidents;

/// <summary>
/// Incident response. Instance-wide: the security team works incidents across projects. Reading needs
/// <c>incidents:read</c> (auditors too); changing needs <c>incidents:manage</c> in a session signed in with MFA, because
/// closing an incident or rewriting its record is exactly what an intruder holding a stolen key would want.
/// </summary>
internal static class IncidentsEndpoints
{
    public static IEndpointRouteBuilder MapIncidents(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/v1/incidents").WithTags("Incidents").RequirePermission(Permissions.IncidentsRead).InstanceWide();
        read.MapGet("/", ListAsync).WithName("ListIncidents");
        read.MapGet("/{number:int}", GetAsync).WithName("GetIncident");

        var manage = app.MapGroup("/api/v1/incidents").WithTags("Incidents").RequirePermission(Permissions.IncidentsManage).InstanceWide().RequireStepUp();
        manage.MapPost("/", OpenAsync).WithName("OpenIncident").AcceptsJson();
        manage.MapPatch("/{number:int}", UpdateAsync).WithName("UpdateIncident").AcceptsJson();
        manage.MapPost("/{number:int}/transitions", TransitionAsync).WithName("TransitionIncident").AcceptsJson();
        manage.MapPost("/{number:int}/checklist", CompleteItemAsync).WithName("CompleteIncidentChecklistItem").AcceptsJson();
        manage.MapPost("/{number:int}/evidence", EvidenceAsync).WithName("ExportIncidentEvidence");
        return app;
    }

    private static async Task<Ok<IReadOnlyList<IncidentSummary>>> ListAsync(IncidentService incidents, CancellationToken cancellationToken, bool all = false) =>
        TypedResults.Ok<IReadOnlyList<IncidentSummary>>([.. (await incidents.ListAsync(all, cancellationToken)).Select(Summary)]);

    private static async Task<Results<Ok<IncidentInfo>, ProblemHttpResult>> GetAsync(int number, IncidentService incidents, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var incident = await incidents.FindAsync(number, cancellationToken);
        return incident is null
            ? Problems.From(IncidentErrors.Missing(number))
            : TypedResults.Ok(await DetailAsync(incident, incidents, time, cancellationToken));
    }

    private static async Task<Results<Created<IncidentInfo>, ProblemHttpResult>> OpenAsync(OpenIncidentRequest request, IncidentService incidents, TimeProvider time,
        HttpContext context, CancellationToken cancellationToken)
    {
        if (request.Project is { } project && !Core.Projects.ProjectIds.IsValid(project))
        {
            return Problems.Of(ErrorCodes.IncidentInvalid, 400, "project is a project id.");
        }

        var outcome = await incidents.OpenAsync(new NewIncident(request.Title ?? "", request.Severity ?? "", request.Type ?? "", request.Owner, request.Project,
            request.PersonalData, request.HealthData), context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded
            ? TypedResults.Created($"/api/v1/incidents/{outcome.Value.Number}", await DetailAsync(outcome.Value, incidents, time, cancellationToken))
            : Problems.From(outcome.Failure);
    }

    private static async Task<Results<Ok<IncidentInfo>, ProblemHttpResult>> UpdateAsync(int number, UpdateIncidentRequest request, IncidentService incidents,
        TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        var outcome = await incidents.UpdateAsync(number, new IncidentUpdate(request.Severity, request.Owner, request.PersonalData, request.HealthData, request.Note),
            context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(await DetailAsync(outcome.Value, incidents, time, cancellationToken)) : Problems.From(outcome.Failure);
    }

    private static async Task<Results<Ok<IncidentInfo>, ProblemHttpResult>> TransitionAsync(int number, IncidentTransitionRequest request, IncidentService incidents,
        TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        if (!IncidentService.TryParseState(request.State, out var target))
        {
            return Problems.Of(ErrorCodes.IncidentInvalid, 400, "state is one of contained, eradicated, recovered, closed.");
        }

        var outcome = await incidents.TransitionAsync(number, target, request.Evidence ?? "", context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(await DetailAsync(outcome.Value, incidents, time, cancellationToken)) : Problems.From(outcome.Failure);
    }

    private static async Task<Results<Ok<IncidentInfo>, ProblemHttpResult>> CompleteItemAsync(int number, IncidentChecklistRequest request, IncidentService incidents,
        TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        var outcome = await incidents.CompleteItemAsync(number, request.Item ?? "", request.Evidence ?? "", context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(await DetailAsync(outcome.Value, incidents, time, cancellationToken)) : Problems.From(outcome.Failure);
    }

    private static async Task<IResult> EvidenceAsync(int number, IncidentService incidents, Core.Incidents.Evidence.EvidenceBundleWriter writer,
        Core.Audit.AuditLedger ledger, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        var incident = await incidents.FindAsync(number, cancellationToken);
        if (incident is null)
        {
            return Problems.From(IncidentErrors.Missing(number));
        }

        var caller = context.GetPrincipal();
        var detail = await DetailAsync(incident, incidents, time, cancellationToken);
        var json = JsonSerializer.SerializeToUtf8Bytes(detail, Json);
        using var buffer = new MemoryStream();
        await writer.WriteAsync(buffer, incident, json, detail.LinkedEvents, caller.Id, context.ClientAddress(), cancellationToken);
        var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
        await ledger.AppendAsync(new Core.Audit.AuditEntry(Core.Audit.AuditCodes.EvidenceBundleExported, "incident.evidence", caller.Id, "incident/" + number,
            "success", context.ClientAddress(), new Dictionary<string, object?> { ["sha256"] = digest, ["bytes"] = buffer.Length }));
        await incidents.TickIfOpenAsync(number, IncidentPlaybooks.ExportEvidence, $"evidence bundle exported (sha256 {digest})", caller.Id, context.ClientAddress(),
            cancellationToken);
        return TypedResults.File(buffer.ToArray(), "application/zip", $"incident-{number}-evidence.zip");
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    internal static IncidentSummary Summary(Incident i) => new(i.Number, i.Title, i.Type, i.Severity, IncidentService.Name(i.State), i.Owner, i.ProjectId,
        i.RuleId, i.Subject, i.OpenedAt, i.UpdatedAt, i.ClosedAt, i.DetectionCount);

    internal static async Task<IncidentInfo> DetailAsync(Incident incident, IncidentService incidents, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var done = JsonNode.Parse(incident.ChecklistJson)!.AsObject();
        var checklist = IncidentPlaybooks.ChecklistOf(incident.Type).Select(item => done[item] is JsonObject d
            ? new IncidentChecklistItem(item, true, d["by"]?.GetValue<string>(), DateTimeOffset.Parse(d["at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
                d["evidence"]?.GetValue<string>())
            : new IncidentChecklistItem(item, false, null, null, null)).ToList();
        var timeline = (await incidents.TimelineAsync(incident.Id, cancellationToken))
            .Select(e => new IncidentTimelineEntry(e.At, e.Actor, e.Kind, e.Text, JsonDocument.Parse(e.DataJson).RootElement.Clone())).ToList();
        return new IncidentInfo(Summary(incident), incident.PersonalData, incident.HealthData,
            [.. IncidentDeadlines.Of(incident).Select(d => new IncidentDeadlineInfo(d.Id, d.Description, d.DueAt, now >= d.DueAt))],
            checklist, timeline, await incidents.LinkedEventsAsync(incident.Id, cancellationToken));
    }
}

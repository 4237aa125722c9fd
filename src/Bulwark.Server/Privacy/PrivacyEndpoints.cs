using System.Text.Json;
using Bulwark.Client.Contracts;
using Bulwark.Core.Identity;
using Bulwark.Core.Privacy;
using Bulwark.Core.Projects;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Bulwark.Server.Serving;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bulwark.Server.Privacy;

/// <summary>
/// Data-subject rights in the request's project: erasure (GDPR Art. 17) and access (Art. 15), and per-project retention.
/// </summary>
/// <remarks>
/// Erasure destroys data that cannot be restored, and export hands over everything held about a person: both need
/// <c>privacy:manage</c> (admin and security-officer roles) and a session signed in with a second factor, so a leaked
/// API key alone can do neither. The subject key travels in a body or a header, never in a URL (URLs are logged).
/// </remarks>
internal static class PrivacyEndpoints
{
    public static IEndpointRouteBuilder MapPrivacy(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/privacy").WithTags("Privacy").RequirePermission(Permissions.PrivacyManage).RequireStepUp();
        group.MapPost("/erasure", EraseAsync).WithName("EraseSubject").AcceptsJson();
        group.MapPost("/subjects/export", ExportAsync).WithName("ExportSubject").AcceptsJson();

        // GET for clients that cannot send a body: the key comes in the Bulwark-Subject header, never the query string.
        group.MapGet("/subjects/export", ExportFromHeaderAsync).WithName("ExportSubjectByHeader");

        // Retention changes what is deleted and when: administrators, with a second factor; reading it is project management.
        var projects = app.MapGroup("/api/v1/projects").WithTags("Projects").InstanceWide();
        projects.MapGet("/{project}/retention", GetRetentionAsync).WithName("GetProjectRetention").RequirePermission(Permissions.ProjectsManage);
        projects.MapPut("/{project}/retention", SetRetentionAsync).WithName("SetProjectRetention").AcceptsJson()
            .RequirePermission(Permissions.Admin).RequireStepUp();
        return app;
    }

    private static async Task<Results<Ok<ErasureInfo>, ProblemHttpResult>> EraseAsync(
        SubjectRequest request, SubjectErasure erasure, ProjectScope scope, HttpContext context, CancellationToken ct)
    {
        if (Check(request, scope) is { } invalid)
        {
            return invalid;
        }

        var outcome = await erasure.EraseAsync(request.Subject, context.GetPrincipal().Id, context.ClientAddress(), ct);
        if (!outcome.Succeeded)
        {
            return Problems.From(outcome.Failure);
        }

        var r = outcome.Value;
        return TypedResults.Ok(new ErasureInfo(r.RequestId, r.SubjectHmac,
            [.. r.Datasets.Select(d => new ErasedDatasetInfo(d.Id, d.Name, d.RowsRemoved, d.RowsRemaining, d.Digest))],
            r.CapturedPredictions, r.FeedbackLabels,
            [.. r.RetrainRequired.Select(v => new RetrainRequiredInfo(v.Model, v.Version, v.Stage, v.DatasetId))],
            r.RetrainingStarted, r.Receipt));
    }

    private static async Task<Results<Ok<SubjectExportInfo>, ProblemHttpResult>> ExportAsync(
        SubjectRequest request, SubjectExport export, ProjectScope scope, HttpContext context, CancellationToken ct) =>
        Check(request, scope) is { } invalid ? invalid : await ExportCoreAsync(request.Subject, export, context, ct);

    private static async Task<Results<Ok<SubjectExportInfo>, ProblemHttpResult>> ExportFromHeaderAsync(SubjectExport export, HttpContext context, CancellationToken ct)
    {
        var header = context.Request.Headers[ServingEndpoints.SubjectHeader];
        return header.Count != 1
            ? Problems.Of(ErrorCodes.PrivacySubjectInvalid, 400, $"Send the subject key in one {ServingEndpoints.SubjectHeader} header (or POST it in a JSON body).")
            : await ExportCoreAsync(header[0] ?? "", export, context, ct);
    }

    private static async Task<Results<Ok<SubjectExportInfo>, ProblemHttpResult>> ExportCoreAsync(string subject, SubjectExport export, HttpContext context, CancellationToken ct)
    {
        var outcome = await export.ExportAsync(subject, context.GetPrincipal().Id, context.ClientAddress(), ct);
        if (!outcome.Succeeded)
        {
            return Problems.From(outcome.Failure);
        }

        var r = outcome.Value;
        return TypedResults.Ok(new SubjectExportInfo(r.ProjectId, r.SubjectHmac, r.ExportedAt,
            [.. r.Datasets.Select(d => new SubjectDatasetInfo(d.DatasetId, d.Name, [.. d.Rows]))],
            [.. r.Captures.Select(c => new SubjectCaptureInfo(c.PredictionId, c.Model, c.Version, c.At, c.Protocol,
                c.Body is null ? null : ParseBody(c.Body), c.Pseudonymised, c.Outputs))]));
    }

    private static JsonElement? ParseBody(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ProblemHttpResult? Check(SubjectRequest? request, ProjectScope scope)
    {
        if (request is null || !SubjectKeys.IsValid(request.Subject))
        {
            return Problems.Of(ErrorCodes.PrivacySubjectInvalid, 400, $"subject must be 1–{SubjectKeys.MaxLength} characters, none of them a control character.");
        }

        // One project per request, the one the Bulwark-Project header (or the caller's default) chose and authorized.
        return request.Project is { } project && project != scope.Required
            ? Problems.Of(ErrorCodes.PrivacyInvalid, 400, $"project must be the project the request acts in ('{scope.Required}'); send the Bulwark-Project header to act in another.")
            : null;
    }

    private static async Task<Results<Ok<RetentionInfo>, ProblemHttpResult>> GetRetentionAsync(string project, RetentionSettings settings, CancellationToken ct)
    {
        var outcome = await settings.GetAsync(project, ct);
        return outcome.Succeeded ? TypedResults.Ok(ToInfo(outcome.Value)) : Problems.From(outcome.Failure);
    }

    private static async Task<Results<Ok<RetentionInfo>, ProblemHttpResult>> SetRetentionAsync(
        string project, SetRetentionRequest request, RetentionSettings settings, HttpContext context, CancellationToken ct)
    {
        var outcome = await settings.SetAsync(project, request.CapturesDays, request.DatasetsDays, context.GetPrincipal().Id, context.ClientAddress(), ct);
        return outcome.Succeeded ? TypedResults.Ok(ToInfo(outcome.Value)) : Problems.From(outcome.Failure);
    }

    private static RetentionInfo ToInfo(ProjectRetention r) => new(r.ProjectId, r.CaptureDays, r.CaptureDefault, r.DatasetDays, r.AuditHotDays, r.AuditTotalDays);
}

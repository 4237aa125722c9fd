using System.Text.Json;
using Bulwark.Client.Contracts;
using Bulwark.Core.Identity;
using Bulwark.Core.Monitoring;
using Bulwark.Core.Storage;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Server.Monitoring;

/// <summary>
/// Feedback labels (rate-limited, judged in batches by the poisoning guard), held-batch review, the evaluation history
/// of a model (<c>/monitoring</c>) and its retraining runs.
/// </summary>
internal static class MonitoringEndpoints
{
    private const int MaxReports = 100;

    public static IEndpointRouteBuilder MapMonitoring(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/models/{name}").WithTags("Monitoring");
        group.MapPost("/feedback", SubmitAsync).WithName("SubmitFeedback").RequirePermission(Permissions.Feedback).AcceptsJson()
            .RequireRateLimiting(RateLimiting.FeedbackPolicy);
        group.MapGet("/feedback/batches", BatchesAsync).WithName("ListFeedbackBatches").RequirePermission(Permissions.ModelsRead);
        group.MapPost("/feedback/batches/{batch:guid}/release", (string name, Guid batch, FeedbackService service, HttpContext context, CancellationToken ct) =>
            DecideAsync(name, batch, true, service, context, ct)).WithName("ReleaseFeedbackBatch").RequirePermission(Permissions.ModelsPromote);
        group.MapPost("/feedback/batches/{batch:guid}/discard", (string name, Guid batch, FeedbackService service, HttpContext context, CancellationToken ct) =>
            DecideAsync(name, batch, false, service, context, ct)).WithName("DiscardFeedbackBatch").RequirePermission(Permissions.ModelsPromote);
        group.MapGet("/monitoring", ReportsAsync).WithName("ListMonitoringReports").RequirePermission(Permissions.ModelsRead);
        group.MapPost("/monitoring/evaluate", EvaluateAsync).WithName("EvaluateModel").RequirePermission(Permissions.ModelsTrain)
            .RequireRateLimiting(RateLimiting.EvaluationsPolicy);
        group.MapGet("/retraining", RetrainingAsync).WithName("ListRetrainingRuns").RequirePermission(Permissions.ModelsRead);
        return app;
    }

    private static async Task<Results<Accepted<FeedbackReceipt>, ProblemHttpResult>> SubmitAsync(
        string name, FeedbackRequest? request, FeedbackService service, HttpContext context, CancellationToken cancellationToken)
    {
        if (request is null || request.PredictionId == Guid.Empty)
        {
            return Problems.Of(ErrorCodes.MonitoringInvalid, 400, "Send a predictionId, a label and optionally a row.");
        }

        var outcome = await service.SubmitAsync(name, request.PredictionId, request.Row, request.Label, context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded
            ? TypedResults.Accepted((string?)null, new FeedbackReceipt(outcome.Value.Id, outcome.Value.State))
            : Problems.From(outcome.Failure);
    }

    private static async Task<Ok<FeedbackBatchInfo[]>> BatchesAsync(string name, BulwarkDbContext db, CancellationToken cancellationToken)
    {
        var labels = await db.FeedbackLabels.AsNoTracking().Where(f => f.ModelName == name && f.BatchId != null)
            .Select(f => new { f.BatchId, f.State, f.Principal, f.At }).ToListAsync(cancellationToken);
        return TypedResults.Ok(labels.GroupBy(l => l.BatchId!.Value).Select(g => new FeedbackBatchInfo(
            g.Key,
            g.Select(l => l.State).Distinct().Count() == 1 ? g.First().State : "mixed",
            g.Count(),
            g.Select(l => l.Principal).Distinct().Count(),
            Math.Round((double)g.GroupBy(l => l.Principal).Max(p => p.Count()) / g.Count(), 3),
            g.Min(l => l.At),
            g.Max(l => l.At))).OrderByDescending(b => b.LastAt).ToArray());
    }

    private static async Task<Results<Ok<FeedbackDecision>, ProblemHttpResult>> DecideAsync(
        string name, Guid batch, bool release, FeedbackService service, HttpContext context, CancellationToken cancellationToken)
    {
        var outcome = await service.DecideAsync(name, batch, release, context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        if (!outcome.Succeeded)
        {
            return Problems.From(outcome.Failure);
        }

        return TypedResults.Ok(new FeedbackDecision(batch, release ? "accepted" : "discarded", outcome.Value));
    }

    private static async Task<Results<Ok<MonitoringReportInfo[]>, ProblemHttpResult>> ReportsAsync(
        string name, BulwarkDbContext db, CancellationToken cancellationToken)
    {
        var reports = await db.MonitoringReports.AsNoTracking().Where(r => r.ModelName == name).OrderByDescending(r => r.WindowEnd).Take(MaxReports)
            .ToListAsync(cancellationToken);
        if (reports.Count == 0 && !await db.ModelVersions.AnyAsync(v => v.ModelName == name, cancellationToken))
        {
            return Problems.Of(ErrorCodes.ModelNotFound, 404, $"Model '{name}' does not exist.");
        }

        return TypedResults.Ok(reports.Select(ToInfo).ToArray());
    }

    private static async Task<Results<Ok<MonitoringReportInfo>, ProblemHttpResult>> EvaluateAsync(string name, ModelMonitor monitor, CancellationToken cancellationToken)
    {
        var outcome = await monitor.EvaluateAsync(name, cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(ToInfo(outcome.Value)) : Problems.From(outcome.Failure);
    }

    private static async Task<Ok<RetrainingRunInfo[]>> RetrainingAsync(string name, BulwarkDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok((await db.RetrainingRuns.AsNoTracking().Where(r => r.ModelName == name).OrderByDescending(r => r.At).Take(MaxReports)
            .ToListAsync(cancellationToken)).Select(r => new RetrainingRunInfo(r.Id, r.Trigger, r.JobId, r.At, r.State, r.Version, r.Detail)).ToArray());

    private static MonitoringReportInfo ToInfo(MonitoringReport r)
    {
        using var findings = JsonDocument.Parse(r.FindingsJson);
        return new MonitoringReportInfo(r.Id, r.Version, r.WindowStart, r.WindowEnd, r.Rows, r.Labels, r.Status, findings.RootElement.Clone());
    }
}

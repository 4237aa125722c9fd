using Bulwark.Client.Contracts;
using Bulwark.Core.Datasets;
using Bulwark.Core.Identity;
using Bulwark.Core.Registry;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Bulwark.Server.Incidents;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bulwark.Server.Registry;

/// <summary>
/// The promotion workflow around <c>POST /api/v1/models/{name}/promote</c>: approvals (four eyes), one-command rollback to
/// the previous production version, the release record (anti-rollback) and a dry run of the promotion gates.
/// </summary>
internal static class PromotionEndpoints
{
    private const int MaxCommentLength = 1024;
    private const int MaxReasonLength = 512;

    public static IEndpointRouteBuilder MapPromotion(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/models/{name}").WithTags("Registry");
        group.MapPost("/versions/{version:int}/approvals", ApproveAsync).WithName("ApproveModelVersion")
            .RequirePermission(Permissions.ModelsPromote).EvaluatesPolicyOnObject().FrozenByContainment().AcceptsJson();
        group.MapGet("/versions/{version:int}/approvals", ListApprovalsAsync).WithName("ListModelApprovals").RequirePermission(Permissions.ModelsRead);
        group.MapGet("/versions/{version:int}/gates", GatesAsync).WithName("EvaluateModelGates").RequirePermission(Permissions.ModelsRead)
            .RequireRateLimiting(RateLimiting.EvaluationsPolicy);
        group.MapPost("/rollback", RollbackAsync).WithName("RollbackModel").RequirePermission(Permissions.ModelsPromote).EvaluatesPolicyOnObject()
            .FrozenByContainment().AcceptsJson();
        group.MapGet("/releases", ReleasesAsync).WithName("ListModelReleases").RequirePermission(Permissions.ModelsRead);
        return app;
    }

    private static async Task<Results<Created<ApprovalInfo>, ProblemHttpResult>> ApproveAsync(
        string name, int version, ApproveRequest? request, ModelRegistry registry, DatasetCatalog datasets, AccessEvaluator access, HttpContext context,
        CancellationToken cancellationToken)
    {
        if (request?.Comment is { Length: > MaxCommentLength } || request?.Comment is { } c && c.Any(char.IsControl))
        {
            return Problems.Of(ErrorCodes.InvalidRequest, 400, $"The comment must be at most {MaxCommentLength} printable characters.");
        }

        // An approval is a vote for production: the policies that govern promotion govern it too.
        var row = await registry.GetVersionAsync(name, version, cancellationToken);
        if (!row.Succeeded)
        {
            return Problems.From(row.Failure);
        }

        if (await RegistryEndpoints.AuthorizeOnVersionAsync(row.Value, "production", datasets, access, context, cancellationToken) is { } denied)
        {
            return Problems.From(denied);
        }

        var outcome = await registry.ApproveAsync(name, version, context.GetPrincipal().Id, request?.Comment, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded
            ? TypedResults.Created($"/api/v1/models/{name}/versions/{version}/approvals", ToInfo(outcome.Value))
            : Problems.From(outcome.Failure);
    }

    private static async Task<Results<Ok<ApprovalInfo[]>, ProblemHttpResult>> ListApprovalsAsync(
        string name, int version, ModelRegistry registry, CancellationToken cancellationToken)
    {
        var row = await registry.GetVersionAsync(name, version, cancellationToken);
        if (!row.Succeeded)
        {
            return Problems.From(row.Failure);
        }

        return TypedResults.Ok((await registry.ApprovalsAsync(row.Value.Id, cancellationToken)).Select(ToInfo).ToArray());
    }

    private static async Task<Results<Ok<GateReportInfo>, ProblemHttpResult>> GatesAsync(
        string name, int version, ModelRegistry registry, PromotionGates gates, CancellationToken cancellationToken)
    {
        var row = await registry.GetVersionAsync(name, version, cancellationToken);
        if (!row.Succeeded)
        {
            return Problems.From(row.Failure);
        }

        var report = await gates.EvaluateAsync(row.Value, cancellationToken);
        return TypedResults.Ok(new GateReportInfo(name, version, report.Passed,
            report.Results.Select(r => new GateResultInfo(r.Gate, r.Passed, r.Value, r.Threshold, r.Detail)).ToArray()));
    }

    private static async Task<Results<Ok<ModelVersionInfo>, ProblemHttpResult>> RollbackAsync(
        string name, RollbackRequest? request, ModelRegistry registry, DatasetCatalog datasets, AccessEvaluator access, HttpContext context,
        CancellationToken cancellationToken)
    {
        if (request?.Reason is not { Length: > 0 and <= MaxReasonLength } reason || reason.Any(char.IsControl))
        {
            return Problems.Of(ErrorCodes.InvalidRequest, 400, $"Give a reason of 1 to {MaxReasonLength} printable characters.");
        }

        var caller = context.GetPrincipal().Id;
        var target = await registry.RollbackTargetAsync(name, caller, context.ClientAddress(), cancellationToken);
        if (!target.Succeeded)
        {
            return Problems.From(target.Failure);
        }

        if (await RegistryEndpoints.AuthorizeOnVersionAsync(target.Value, "production", datasets, access, context, cancellationToken) is { } denied)
        {
            return Problems.From(denied);
        }

        var outcome = await registry.RollbackToAsync(target.Value, caller, context.ClientAddress(), reason, cancellationToken);
        if (!outcome.Succeeded)
        {
            return Problems.From(outcome.Failure);
        }

        var info = ModelVersionMapping.ToInfo(outcome.Value, registry);
        return info.Succeeded ? TypedResults.Ok(info.Value) : Problems.From(info.Failure);
    }

    private static async Task<Results<Ok<ReleaseInfo[]>, ProblemHttpResult>> ReleasesAsync(string name, ModelRegistry registry, CancellationToken cancellationToken)
    {
        var chain = await registry.ReleasesAsync(name, cancellationToken);
        if (!chain.Succeeded)
        {
            return Problems.From(chain.Failure);
        }

        if (chain.Value.Count == 0 && (await registry.ListAsync(name, cancellationToken)).Count == 0)
        {
            return Problems.Of(ErrorCodes.ModelNotFound, 404, $"Model '{name}' does not exist.");
        }

        return TypedResults.Ok(chain.Value.Select(r => new ReleaseInfo(r.Sequence, r.Action, r.Version, r.ManifestDigest, r.RootDigest, r.By, r.At)).ToArray());
    }

    private static ApprovalInfo ToInfo(ModelApproval a) => new(a.Principal, a.Accountable, a.Comment, a.At);
}

using Bulwark.Client.Contracts;
using Bulwark.Core.Datasets;
using Bulwark.Core.Identity;
using Bulwark.Core.Serving;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Bulwark.Server.Incidents;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bulwark.Server.Registry;

/// <summary>
/// Champion / challenger: <c>/api/v1/models/{name}/challenger</c> shows, sets and clears the version that takes a share of
/// a model's production traffic (or scores it in shadow), with the live comparison of the two.
/// </summary>
/// <remarks>
/// Setting a challenger puts a version in front of callers without promoting it, so it answers to what promotion answers
/// to: <c>models:promote</c>, the same ABAC decision (resource stage "production", plus <c>purpose: "challenger"</c> so a
/// policy can single challengers out), a session with a second factor, and in Core the gates, integrity checks and four
/// eyes. Clearing only takes traffic away from an unapproved version, so it needs <c>models:promote</c> alone and stays
/// open while changes are frozen by containment.
/// </remarks>
internal static class ChallengerEndpoints
{
    public static IEndpointRouteBuilder MapChallengers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/models/{name}").WithTags("Registry");
        group.MapGet("/challenger", GetAsync).WithName("GetModelChallenger").RequirePermission(Permissions.ModelsRead);
        group.MapPut("/challenger", SetAsync).WithName("SetModelChallenger").RequirePermission(Permissions.ModelsPromote).RequireStepUp().EvaluatesPolicyOnObject()
            .FrozenByContainment().AcceptsJson();
        group.MapDelete("/challenger", ClearAsync).WithName("ClearModelChallenger").RequirePermission(Permissions.ModelsPromote);
        return app;
    }

    private static async Task<Results<Ok<ChallengerInfo>, ProblemHttpResult>> GetAsync(string name, ModelChallengers challengers, CancellationToken cancellationToken)
    {
        var status = await challengers.StatusAsync(name, cancellationToken);
        return status.Succeeded ? TypedResults.Ok(ToInfo(name, status.Value)) : Problems.From(status.Failure);
    }

    private static async Task<Results<Ok<ChallengerInfo>, ProblemHttpResult>> SetAsync(
        string name, ChallengerRequest? request, Core.Registry.ModelRegistry registry, ModelChallengers challengers, DatasetCatalog datasets, AccessEvaluator access,
        HttpContext context, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            return Problems.Of(ErrorCodes.ChallengerInvalid, 400, "Send a version, a mode ('split' or 'shadow') and, for split, a share.");
        }

        var version = await registry.GetVersionAsync(name, request.Version, cancellationToken);
        if (!version.Succeeded)
        {
            return Problems.From(version.Failure);
        }

        if (await RegistryEndpoints.AuthorizeOnVersionAsync(version.Value, "production", datasets, access, context, cancellationToken, purpose: "challenger") is { } denied)
        {
            return Problems.From(denied);
        }

        var set = await challengers.SetAsync(name, request.Version, request.Mode, request.Share, context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        if (!set.Succeeded)
        {
            return Problems.From(set.Failure);
        }

        var status = await challengers.StatusAsync(name, cancellationToken);
        return status.Succeeded ? TypedResults.Ok(ToInfo(name, status.Value)) : Problems.From(status.Failure);
    }

    private static async Task<NoContent> ClearAsync(string name, ModelChallengers challengers, HttpContext context, CancellationToken cancellationToken)
    {
        await challengers.ClearAsync(name, context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return TypedResults.NoContent();
    }

    private static ChallengerInfo ToInfo(string name, ModelChallengers.Status status) => new(
        name,
        status.Champion?.Version,
        status.Config is { } c ? new ChallengerConfigInfo(c.Version, c.Mode, c.Share, status.Active, status.InactiveReason, c.SetBy, c.SetAt) : null,
        status.Comparison is { } m ? new ChallengerComparisonInfo(m.Metric, ToInfo(m.Champion), ToInfo(m.Challenger), m.Better, m.Note) : null);

    private static ChallengerArmInfo ToInfo(ChallengerArm a) => new(a.Version, a.Labels, a.Accuracy, a.F1, a.Rmse, a.Mae);
}

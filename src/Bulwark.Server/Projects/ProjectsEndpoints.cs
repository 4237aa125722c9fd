using Bulwark.Client.Contracts;
using Bulwark.Core.Identity;
using Bulwark.Core.Projects;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bulwark.Server.Projects;

/// <summary>Projects: the tenant boundary. Creating one is an instance-wide act (<c>projects:manage</c> on "*").</summary>
internal static class ProjectsEndpoints
{
    public static IEndpointRouteBuilder MapProjects(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/projects").WithTags("Projects").RequirePermission(Permissions.ProjectsManage).InstanceWide();
        group.MapPost("/", CreateAsync).WithName("CreateProject").AcceptsJson();
        group.MapGet("/", ListAsync).WithName("ListProjects");

        // Loosening what imports may keep of card numbers is a cardholder-data control: a person with a second factor.
        group.MapPut("/{project}/pan-policy", SetPanPolicyAsync).WithName("SetProjectPanPolicy").AcceptsJson().RequireStepUp();
        return app;
    }

    private static async Task<Results<Created<ProjectInfo>, ProblemHttpResult>> CreateAsync(
        CreateProjectRequest request, ProjectService projects, HttpContext context, CancellationToken cancellationToken)
    {
        var outcome = await projects.CreateAsync(request.Id ?? "", request.DisplayName ?? request.Id ?? "", request.PasswordProfile ?? "nist-800-63b",
            request.PanPolicy ?? Core.Compliance.PanPolicies.Reject, context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded
            ? TypedResults.Created($"/api/v1/projects/{outcome.Value.Id}", ToInfo(outcome.Value))
            : Problems.From(outcome.Failure);
    }

    private static async Task<Ok<ProjectInfo[]>> ListAsync(ProjectService projects, CancellationToken cancellationToken) =>
        TypedResults.Ok((await projects.ListAsync(cancellationToken)).Select(ToInfo).ToArray());

    private static async Task<Results<Ok<ProjectInfo>, ProblemHttpResult>> SetPanPolicyAsync(
        string project, SetPanPolicyRequest request, ProjectService projects, HttpContext context, CancellationToken cancellationToken)
    {
        var outcome = await projects.SetPanPolicyAsync(project, request.Policy ?? "", context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(ToInfo(outcome.Value)) : Problems.From(outcome.Failure);
    }

    private static ProjectInfo ToInfo(Project p) => new(p.Id, p.DisplayName, p.PasswordProfile, p.CreatedAt, p.CreatedBy, p.PanPolicy);
}

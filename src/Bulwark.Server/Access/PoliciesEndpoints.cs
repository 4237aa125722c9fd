using Bulwark.Client.Contracts;
using Bulwark.Core.Access;
using Bulwark.Core.Identity;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bulwark.Server.Access;

/// <summary>
/// The ABAC policy document (instance-wide). Changing it needs <c>policies:manage</c> and a second factor in the session
/// (step-up): a policy can open or close every door, so an API key alone must never rewrite it.
/// </summary>
internal static class PoliciesEndpoints
{
    public static IEndpointRouteBuilder MapPolicies(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/policies").WithTags("Access").RequirePermission(Permissions.PoliciesManage).InstanceWide();
        group.MapGet("/", Get).WithName("GetPolicies");
        group.MapPut("/", PutAsync).WithName("PutPolicies").AcceptsJson().RequireStepUp();
        return app;
    }

    private static Ok<PolicyDocumentInfo> Get(PolicyStore policies) => TypedResults.Ok(ToInfo(policies));

    private static async Task<Results<Ok<PolicyDocumentInfo>, ProblemHttpResult>> PutAsync(
        PutPolicyRequest request, PolicyStore policies, HttpContext context, CancellationToken cancellationToken)
    {
        // A permit policy grants beyond roles: its author may only grant what it holds itself, or policy management
        // would be a path to every permission (a security officer permitting itself projects:manage, say).
        var caller = context.GetPrincipal();
        if (PolicyParser.Parse(request.Document ?? "") is { Succeeded: true } parsed)
        {
            foreach (var permit in parsed.Value.Policies.Where(p => p.Effect == PolicyEffect.Permit))
            {
                var grants = AccessPermissions.All.Where(a => permit.Action is null || permit.Action.Matches(a));
                if (grants.FirstOrDefault(a => !caller.Has(a)) is { } withheld)
                {
                    return Problems.Of(Client.Contracts.ErrorCodes.Forbidden, 403,
                        $"Policy '{permit.Id}' would permit '{withheld}', which you do not hold; permit only actions you hold (name them in 'action').");
                }
            }
        }

        var saved = await policies.SaveAsync(request.Document ?? "", context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return saved.Succeeded ? TypedResults.Ok(ToInfo(policies)) : Problems.From(saved.Failure);
    }

    private static PolicyDocumentInfo ToInfo(PolicyStore policies)
    {
        var revision = policies.CurrentRevision;
        return revision is null
            ? new PolicyDocumentInfo(0, PolicyStore.Digest(""), "yaml", "", 0, null, null)
            : new PolicyDocumentInfo(revision.Version, revision.Digest, revision.Format, revision.Document, policies.Current.Policies.Count, revision.CreatedAt, revision.CreatedBy);
    }
}

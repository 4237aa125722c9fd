using Bulwark.Core.Identity;
using Microsoft.AspNetCore.Authorization;

namespace Bulwark.Server.Authentication;

/// <summary>Endpoint metadata naming the one permission an endpoint requires; the route-inventory test reads it.</summary>
internal sealed record PermissionMetadata(string Permission);

/// <summary>Requires <see cref="Permission"/>; "predict:{name}" is resolved against the request's <c>name</c> route value.</summary>
internal sealed record PermissionRequirement(string Permission) : IAuthorizationRequirement;

internal static class PermissionPolicies
{
    /// <summary>The dynamic permission of the prediction endpoints: predict:&lt;the model in the route&gt;.</summary>
    public const string PredictRouteModel = Permissions.PredictPrefix + "{name}";

    /// <summary>Any authenticated caller, acting on itself only (who am I, MFA enrolment, own password).</summary>
    public const string Self = "self";

    // Derived from the one permission list, so a permission added there can be required here too.
    private static readonly string[] All = [.. Permissions.Fixed.Where(p => p != Permissions.PredictAny), PredictRouteModel, Self];

    public static IServiceCollection AddBulwarkAuthorization(this IServiceCollection services)
    {
        services.AddSingleton<IAuthorizationHandler, PermissionHandler>();
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder()
                .RequireAuthenticatedUser()

                // Deny by default (DESIGN.md invariant 1): an endpoint without an explicit permission is unreachable.
                .RequireAssertion(_ => false)
                .Build());
        services.AddAuthorization(options =>
        {
            foreach (var permission in All)
            {
                options.AddPolicy(permission, policy => policy.RequireAuthenticatedUser().AddRequirements(new PermissionRequirement(permission)));
            }
        });
        return services;
    }

    /// <summary>Requires <paramref name="permission"/> and records it as metadata for the route inventory.</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission)
        where TBuilder : IEndpointConventionBuilder
    {
        if (Array.IndexOf(All, permission) < 0)
        {
            throw new ArgumentException($"Unknown permission '{permission}'.", nameof(permission));
        }

        return builder.RequireAuthorization(permission).WithMetadata(new PermissionMetadata(permission));
    }
}

/// <summary>
/// Grants a requirement when the caller's scopes grant the permission. Any doubt (no route value, an invalid model
/// name) denies: an error while evaluating a policy must never allow (DESIGN.md invariant 10).
/// </summary>
internal sealed class PermissionHandler : AuthorizationHandler<PermissionRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        var permission = requirement.Permission;
        var http = context.Resource as HttpContext;
        var principal = http?.GetPrincipalOrNull();
        if (context.User.Identity?.IsAuthenticated != true || principal is null)
        {
            return Task.CompletedTask;
        }

        // Step-up (MFA in this session) for actions that could hand over the platform: exporting models, rotating keys, changing policy.
        if (http!.GetEndpoint()?.Metadata.GetMetadata<StepUpMetadata>() is not null && !principal.Mfa)
        {
            return Task.CompletedTask;
        }

        if (permission == PermissionPolicies.Self)
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }

        if (permission == PermissionPolicies.PredictRouteModel)
        {
            var model = http!.GetRouteValue("name") as string;
            if (model is null || !Permissions.IsValidModelName(model))
            {
                return Task.CompletedTask;
            }

            permission = Permissions.Predict(model);
        }

        // The principal of the request's project (ProjectResolutionMiddleware): RBAC, then the ABAC policies.
        var rbac = principal.Has(permission);
        var evaluator = http!.RequestServices.GetRequiredService<AccessEvaluator>();
        // Break glass: instance admins manage policies by their role alone, so no policy document, however wrong or
        // hostile, can lock the administrators out of repairing it.
        var breakGlass = permission == Permissions.PoliciesManage && http.IsInstanceAdmin();
        if (!evaluator.HasPolicies || breakGlass || http.GetEndpoint()?.Metadata.GetMetadata<ObjectPolicyMetadata>() is not null)
        {
            if (rbac)
            {
                context.Succeed(requirement);
            }

            return Task.CompletedTask;
        }

        var action = permission.StartsWith(Permissions.PredictPrefix, StringComparison.Ordinal) ? Permissions.PredictAny : permission;
        if (evaluator.Evaluate(http, principal, action, rbac).Allowed)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

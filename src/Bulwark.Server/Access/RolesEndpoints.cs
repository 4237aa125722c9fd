using Bulwark.Client.Contracts;
using Bulwark.Core.Access;
using Bulwark.Core.Identity;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bulwark.Server.Access;

/// <summary>Roles: the built-in ones and custom roles (instance-wide <c>users:manage</c>; defining one needs step-up).</summary>
/// <remarks>
/// A caller may only put permissions it holds itself into a custom role, or granting that role would be a way to hand
/// out more than it has (the same rule as for API keys).
/// </remarks>
internal static class RolesEndpoints
{
    public static IEndpointRouteBuilder MapRoles(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/roles").WithTags("Access").RequirePermission(Permissions.UsersManage).InstanceWide();
        group.MapGet("/", ListAsync).WithName("ListRoles");
        group.MapPost("/", DefineAsync).WithName("DefineRole").AcceptsJson().RequireStepUp();
        return app;
    }

    private static async Task<Ok<RoleInfo[]>> ListAsync(RoleRegistry roles, CancellationToken cancellationToken)
    {
        var catalog = roles.Current;
        var custom = (await roles.ListCustomAsync(cancellationToken)).ToDictionary(r => r.Name, StringComparer.Ordinal);
        return TypedResults.Ok(catalog.RoleNames.Order(StringComparer.Ordinal).Select(name => new RoleInfo(
            name,
            [.. catalog.PermissionsOf([name]).Order(StringComparer.Ordinal)],
            BuiltInRoles.IsBuiltIn(name),
            catalog.MfaRequiredRoles.Contains(name),
            custom.TryGetValue(name, out var row) ? row.Description : null)).ToArray());
    }

    private static async Task<Results<Created<RoleInfo>, ProblemHttpResult>> DefineAsync(
        DefineRoleRequest request, RoleRegistry roles, HttpContext context, CancellationToken cancellationToken)
    {
        var caller = context.GetPrincipal();
        var permissions = request.Permissions ?? [];
        if (permissions.Count is 0 or > 32 || permissions.Any(p => p is null))
        {
            return Problems.Of(RoleCatalog.InvalidCode, 400, "A role grants 1–32 permissions.");
        }

        if (permissions.FirstOrDefault(p => !caller.Has(p)) is { } withheld)
        {
            return Problems.Of(ErrorCodes.Forbidden, 403, $"You may not put '{withheld}' into a role: you do not hold it.");
        }

        var defined = await roles.DefineAsync(request.Name ?? "", permissions, request.Description ?? "", caller.Id, context.ClientAddress(), cancellationToken);
        if (!defined.Succeeded)
        {
            return Problems.From(defined.Failure);
        }

        var catalog = roles.Current;
        return TypedResults.Created($"/api/v1/roles/{defined.Value.Name}", new RoleInfo(defined.Value.Name, [.. defined.Value.Permissions.Order(StringComparer.Ordinal)],
            false, catalog.MfaRequiredRoles.Contains(defined.Value.Name), request.Description));
    }
}

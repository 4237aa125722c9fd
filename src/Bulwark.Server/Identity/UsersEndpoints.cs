using Bulwark.Client.Contracts;
using Bulwark.Core;
using Bulwark.Core.Access;
using Bulwark.Core.Audit;
using Bulwark.Core.Datasets;
using Bulwark.Core.Identity;
using Bulwark.Core.Projects;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bulwark.Server.Identity;

/// <summary>User administration (instance-wide <c>users:manage</c>: admins and security officers).</summary>
/// <remarks>
/// User management must not be a path to other permissions (separation of duties, NIST SP 800-53 AC-5): a granter
/// must hold every permission of the role it grants (so a security officer can make auditors, but only an admin can
/// make ml-engineers or approvers), nobody but an admin changes its own roles, only an admin grants <c>admin</c> or
/// <c>security-officer</c> or a clearance above internal, and only an admin may disable, delete, reset or sign out a
/// user who holds <c>admin</c> or <c>security-officer</c>. Otherwise one person could grow a second account to defeat
/// four-eyes rules, or lock the administrators out.
/// </remarks>
internal static class UsersEndpoints
{
    private static readonly HashSet<string> AdminOnlyRoles = new(StringComparer.Ordinal) { BuiltInRoles.Admin, BuiltInRoles.SecurityOfficer };

    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/users").WithTags("Users").RequirePermission(Permissions.UsersManage).InstanceWide();
        group.MapPost("/", CreateAsync).WithName("CreateUser").AcceptsJson();
        group.MapGet("/", ListAsync).WithName("ListUsers");
        group.MapGet("/{login}", GetAsync).WithName("GetUser");
        group.MapPost("/{login}/disable", (string login, UserService users, UserDirectory directory, AuditLedger audit, HttpContext context, CancellationToken ct) =>
            SetStatusAsync(login, UserStatus.Disabled, users, directory, audit, context, ct)).WithName("DisableUser");
        group.MapPost("/{login}/enable", (string login, UserService users, UserDirectory directory, AuditLedger audit, HttpContext context, CancellationToken ct) =>
            SetStatusAsync(login, UserStatus.Active, users, directory, audit, context, ct)).WithName("EnableUser");
        group.MapDelete("/{login}", DeleteAsync).WithName("DeleteUser");
        group.MapPost("/{login}/roles", GrantAsync).WithName("GrantRole").AcceptsJson();
        group.MapDelete("/{login}/roles/{project}/{role}", RevokeRoleAsync).WithName("RevokeRole");
        group.MapDelete("/{login}/sessions", RevokeSessionsAsync).WithName("RevokeUserSessions");
        group.MapPost("/{login}/mfa/reset", ResetMfaAsync).WithName("ResetUserMfa").RequireStepUp();
        group.MapPost("/{login}/mfa/enrolment-code", IssueEnrolmentCodeAsync).WithName("IssueMfaEnrolmentCode").RequireStepUp();
        return app;
    }

    private static async Task<Results<Created<CreatedUserInfo>, ProblemHttpResult>> CreateAsync(
        CreateUserRequest request, UserService users, ProjectService projects, ProjectDirectory projectDirectory, RoleRegistry roles, UserDirectory directory,
        AuditLedger audit, HttpContext context, CancellationToken cancellationToken)
    {
        var caller = context.GetPrincipal();
        if (!TryParseClearance(request.Clearance, out var clearance))
        {
            return Problems.Of(UserErrors.Invalid, 400, "Clearance must be public, internal, confidential or restricted.");
        }

        if (clearance > DataClassification.Internal && !caller.Has(Permissions.Admin))
        {
            return await RefuseAsync(context, audit, caller, "user.create", "user/" + request.Login, $"Only an admin may give a clearance above internal ({clearance.ToString().ToLowerInvariant()}).");
        }

        var grants = request.Roles ?? [];
        if (grants.Count > 64 || grants.Any(g => g is null))
        {
            return Problems.Of(UserErrors.Invalid, 400, "Send at most 64 role grants, none of them null.");
        }

        foreach (var grant in grants)
        {
            if (CheckGrant(grant, roles, caller) is { } refused)
            {
                return refused.Status == 403 ? await RefuseAsync(context, audit, caller, "user.create", "user/" + request.Login, refused.Detail) : Problems.From(refused);
            }
        }

        // Every grant's project must exist before the user does: no half-created user when a grant fails.
        foreach (var grant in grants.Where(g => g.Project != ProjectIds.AllProjects))
        {
            if (!await projectDirectory.ExistsAsync(grant.Project, cancellationToken))
            {
                return Problems.Of(ErrorCodes.ProjectNotFound, 404, $"Project '{grant.Project}' does not exist.");
            }
        }

        var created = await users.CreateAsync(new UserService.NewUser(request.Login ?? "", request.DisplayName ?? "", request.Password ?? "", clearance, caller.Id,
            context.ClientAddress()), cancellationToken);
        if (!created.Succeeded)
        {
            return Problems.From(created.Failure);
        }

        var principalId = UserDirectory.PrincipalId(created.Value.Id);
        foreach (var grant in grants)
        {
            var granted = await projects.GrantAsync(principalId, grant.Project, grant.Role, caller.Id, context.ClientAddress(), cancellationToken);
            if (!granted.Succeeded)
            {
                return Problems.From(granted.Failure);
            }
        }

        directory.Invalidate(created.Value.Id);
        var info = await ToInfoAsync(created.Value, directory, cancellationToken);
        return TypedResults.Created($"/api/v1/users/{created.Value.Login}", new CreatedUserInfo(info, Warnings(info, roles)));
    }

    private static async Task<Ok<UserInfo[]>> ListAsync(UserService users, UserDirectory directory, CancellationToken cancellationToken)
    {
        var list = new List<UserInfo>();
        foreach (var user in await users.ListAsync(cancellationToken))
        {
            list.Add(await ToInfoAsync(user, directory, cancellationToken));
        }

        return TypedResults.Ok(list.ToArray());
    }

    private static async Task<Results<Ok<UserInfo>, ProblemHttpResult>> GetAsync(string login, UserService users, UserDirectory directory, CancellationToken cancellationToken)
    {
        var user = await users.FindAsync(login, cancellationToken);
        return user is null ? Problems.From(UserErrors.UserNotFound(login)) : TypedResults.Ok(await ToInfoAsync(user, directory, cancellationToken));
    }

    private static async Task<Results<Ok<UserInfo>, ProblemHttpResult>> SetStatusAsync(
        string login, UserStatus status, UserService users, UserDirectory directory, AuditLedger audit, HttpContext context, CancellationToken cancellationToken)
    {
        var caller = context.GetPrincipal();
        if (await ProtectedTargetAsync(login, users, directory, caller, cancellationToken))
        {
            return await RefuseAsync(context, audit, caller, "user.status", "user/" + login, "Only an admin may disable or enable an admin or security officer.");
        }

        var outcome = await users.SetStatusAsync(login, status, caller.Id, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(await ToInfoAsync(outcome.Value, directory, cancellationToken)) : Problems.From(outcome.Failure);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string login, UserService users, UserDirectory directory, AuditLedger audit, HttpContext context, CancellationToken cancellationToken)
    {
        if (await ProtectedTargetAsync(login, users, directory, context.GetPrincipal(), cancellationToken))
        {
            return await RefuseAsync(context, audit, context.GetPrincipal(), "user.delete", "user/" + login, "Only an admin may delete an admin or security officer.");
        }

        var outcome = await users.DeleteAsync(login, context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded ? TypedResults.NoContent() : Problems.From(outcome.Failure);
    }

    private static async Task<Results<Ok<UserInfo>, ProblemHttpResult>> GrantAsync(
        string login, RoleGrant request, UserService users, ProjectService projects, RoleRegistry roles, UserDirectory directory, AuditLedger audit, HttpContext context,
        CancellationToken cancellationToken)
    {
        var caller = context.GetPrincipal();
        if (request is null)
        {
            return Problems.Of(UserErrors.Invalid, 400, "Send {\"project\": ..., \"role\": ...}.");
        }

        if (CheckGrant(request, roles, caller) is { } refused)
        {
            return refused.Status == 403 ? await RefuseAsync(context, audit, caller, "project.grant", "user/" + login, refused.Detail) : Problems.From(refused);
        }

        var user = await users.FindAsync(login, cancellationToken);
        if (user is null)
        {
            return Problems.From(UserErrors.UserNotFound(login));
        }

        if (UserDirectory.PrincipalId(user.Id) == caller.Id && !caller.Has(Permissions.Admin))
        {
            return await RefuseAsync(context, audit, caller, "project.grant", "user/" + login, "You may not change your own roles.");
        }

        var granted = await projects.GrantAsync(UserDirectory.PrincipalId(user.Id), request.Project, request.Role, caller.Id, context.ClientAddress(), cancellationToken);
        directory.Invalidate(user.Id);
        return granted.Succeeded ? TypedResults.Ok(await ToInfoAsync(user, directory, cancellationToken)) : Problems.From(granted.Failure);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeRoleAsync(
        string login, string project, string role, UserService users, ProjectService projects, UserDirectory directory, RoleRegistry roles, AuditLedger audit,
        HttpContext context, CancellationToken cancellationToken)
    {
        var caller = context.GetPrincipal();
        if ((AdminOnlyRoles.Contains(role) || !HoldsAll(caller, roles, role)) && !caller.Has(Permissions.Admin))
        {
            return await RefuseAsync(context, audit, caller, "project.revoke", "user/" + login, $"Only an admin (or someone holding all its permissions) may take away the '{role}' role.");
        }

        var user = await users.FindAsync(login, cancellationToken);
        if (user is null || !await projects.RevokeAsync(UserDirectory.PrincipalId(user.Id), project, role, caller.Id, context.ClientAddress(), cancellationToken))
        {
            return Problems.Of(UserErrors.NotFound, 404, $"'{login}' does not hold '{role}' in '{project}'.");
        }

        directory.Invalidate(user.Id);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeSessionsAsync(
        string login, UserService users, RevocationService revocations, UserDirectory directory, AuditLedger audit, HttpContext context, CancellationToken cancellationToken)
    {
        if (await ProtectedTargetAsync(login, users, directory, context.GetPrincipal(), cancellationToken))
        {
            return await RefuseAsync(context, audit, context.GetPrincipal(), "principal.revoke", "user/" + login, "Only an admin may sign out an admin or security officer.");
        }

        var user = await users.FindAsync(login, cancellationToken);
        if (user is null)
        {
            return Problems.From(UserErrors.UserNotFound(login));
        }

        await revocations.RevokePrincipalAsync(UserDirectory.PrincipalId(user.Id), user.Id, "sessions revoked by an administrator", context.GetPrincipal().Id,
            context.ClientAddress(), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<UserInfo>, ProblemHttpResult>> ResetMfaAsync(
        string login, MfaService mfa, UserService users, UserDirectory directory, AuditLedger audit, HttpContext context, CancellationToken cancellationToken)
    {
        if (await ProtectedTargetAsync(login, users, directory, context.GetPrincipal(), cancellationToken))
        {
            return await RefuseAsync(context, audit, context.GetPrincipal(), "mfa.reset", "user/" + login, "Only an admin may reset the MFA of an admin or security officer.");
        }

        var outcome = await mfa.ResetAsync(login, context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(await ToInfoAsync(outcome.Value, directory, cancellationToken)) : Problems.From(outcome.Failure);
    }

    private static async Task<Results<Ok<MfaEnrolmentCode>, ProblemHttpResult>> IssueEnrolmentCodeAsync(
        string login, MfaService mfa, UserService users, UserDirectory directory, AuditLedger audit, HttpContext context, CancellationToken cancellationToken)
    {
        if (await ProtectedTargetAsync(login, users, directory, context.GetPrincipal(), cancellationToken))
        {
            return await RefuseAsync(context, audit, context.GetPrincipal(), "mfa.enrolment-code", "user/" + login, "Only an admin may issue an enrolment code for an admin or security officer.");
        }

        var issued = await mfa.IssueEnrolmentCodeAsync(login, context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        context.Response.Headers.CacheControl = "no-store";
        return issued.Succeeded
            ? TypedResults.Ok(new MfaEnrolmentCode(UserService.NormalizeLogin(login), issued.Value.Code, issued.Value.ExpiresAt))
            : Problems.From(issued.Failure);
    }

    private static Failure? CheckGrant(RoleGrant grant, RoleRegistry roles, BulwarkPrincipal caller)
    {
        if (grant.Project != ProjectIds.AllProjects && !ProjectIds.IsValid(grant.Project ?? ""))
        {
            return new Failure(UserErrors.Invalid, 400, "A grant's project is a project id or \"*\" (every project).");
        }

        if (!roles.Current.IsKnownRole(grant.Role ?? ""))
        {
            return new Failure(UserErrors.Invalid, 400, $"Unknown role. Known roles: {string.Join(", ", roles.Current.RoleNames.Order(StringComparer.Ordinal))}.");
        }

        if (caller.Has(Permissions.Admin))
        {
            return null;
        }

        return AdminOnlyRoles.Contains(grant.Role!)
            ? new Failure(ErrorCodes.Forbidden, 403, $"Only an admin may grant the '{grant.Role}' role.")
            : !HoldsAll(caller, roles, grant.Role!)
                ? new Failure(ErrorCodes.Forbidden, 403, $"You may only grant roles whose permissions you hold yourself; '{grant.Role}' grants more.")
                : null;
    }

    private static bool HoldsAll(BulwarkPrincipal caller, RoleRegistry roles, string role) => roles.PermissionsOf([role]).All(caller.Has);

    /// <summary>Does the target hold admin or security-officer anywhere while the caller is not an admin?</summary>
    internal static async Task<bool> ProtectedTargetAsync(string login, UserService users, UserDirectory directory, BulwarkPrincipal caller, CancellationToken cancellationToken)
    {
        if (caller.Has(Permissions.Admin) || await users.FindAsync(login, cancellationToken) is not { } user)
        {
            return false;
        }

        return await ProtectedTargetAsync(user.Id, directory, caller, cancellationToken);
    }

    /// <summary>Does the user hold admin or security-officer anywhere while the caller is not an admin?</summary>
    internal static async Task<bool> ProtectedTargetAsync(Guid userId, UserDirectory directory, BulwarkPrincipal caller, CancellationToken cancellationToken)
    {
        if (caller.Has(Permissions.Admin))
        {
            return false;
        }

        var entry = await directory.FindAsync(userId, cancellationToken);
        return entry is not null && entry.RolesByProject.Values.Any(r => r.Overlaps(AdminOnlyRoles));
    }

    private static async Task<ProblemHttpResult> RefuseAsync(HttpContext context, AuditLedger audit, BulwarkPrincipal caller, string action, string target, string detail)
    {
        await audit.AppendAsync(new AuditEntry(AuditCodes.AccessDenied, action, caller.Id, target, "denied", context.ClientAddress(),
            new Dictionary<string, object?> { ["reason"] = detail }));
        return Problems.Of(ErrorCodes.Forbidden, 403, detail);
    }

    private static IReadOnlyList<string> Warnings(UserInfo user, RoleRegistry roles)
    {
        var privileged = user.Roles.Select(r => r.Role).Where(roles.Current.MfaRequiredRoles.Contains).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return privileged.Count > 0 && !user.MfaEnrolled
            ? [$"'{user.Login}' holds {string.Join(", ", privileged)} without MFA: those roles stay inactive until the user enrols a second factor, because a stolen password alone must not be enough to act with them."]
            : [];
    }

    internal static bool TryParseClearance(string? value, out DataClassification clearance)
    {
        clearance = DataClassification.Internal;
        return value is null || Enum.TryParse(value, ignoreCase: true, out clearance) && Enum.IsDefined(clearance) && !int.TryParse(value, out _);
    }

    private static async Task<UserInfo> ToInfoAsync(User user, UserDirectory directory, CancellationToken cancellationToken)
    {
        var entry = await directory.FindAsync(user.Id, cancellationToken);
        var grants = entry?.RolesByProject.SelectMany(p => p.Value.Select(r => new RoleGrant(p.Key, r)))
            .OrderBy(g => g.Project, StringComparer.Ordinal).ThenBy(g => g.Role, StringComparer.Ordinal).ToList() ?? [];
        return new UserInfo(user.Login, user.DisplayName, user.Status.ToString().ToLowerInvariant(), user.Clearance.ToString().ToLowerInvariant(),
            user.MfaEnrolled, grants, user.CreatedAt, user.LastLoginAt);
    }
}

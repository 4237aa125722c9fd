using System.Net;
using Bulwark.Client.Contracts;
using Bulwark.Core;
using Bulwark.Core.Access;
using Bulwark.Core.Audit;
using Bulwark.Core.Datasets;
using Bulwark.Core.Identity;

namespace Bulwark.Server.Authentication;

/// <summary>
/// Runs the ABAC policies after RBAC. Twice, where it matters: once per request (the action on the project or the
/// named model: network, time, MFA rules) in <see cref="PermissionHandler"/>, and once more in the endpoints that load a
/// specific object (a dataset's classification, a version's trainer), with that object's attributes. Either may deny.
/// Every policy denial, and every decision on restricted data, is audited with the deciding policy ids.
/// </summary>
internal sealed class AccessEvaluator(PolicyStore policies, AuditLedger audit, TimeProvider time)
{
    private const string DecisionKey = "bulwark.policy-decision";

    public bool HasPolicies => policies.Current.Policies.Count > 0;

    /// <summary>The request-level decision: the resource is the project, or the model named in the route.</summary>
    public PolicyDecision Evaluate(HttpContext context, BulwarkPrincipal principal, string action, bool rbacPermits)
    {
        var model = context.GetRouteValue("name") as string;
        var resource = model is not null && (action.StartsWith("models:", StringComparison.Ordinal) || action == Permissions.PredictAny)
            ? EntityAttributes.Create(("type", S("model")), ("id", S(model)), ("project", S(principal.ProjectId)))
            : EntityAttributes.Create(("type", S("project")), ("id", S(principal.ProjectId)), ("project", S(principal.ProjectId)));
        var decision = PolicyEngine.Evaluate(new AccessRequest(PrincipalAttributes(principal), action, resource, ContextAttributes(context)), rbacPermits, policies.Current);
        context.Items[DecisionKey] = decision;
        return decision;
    }

    /// <summary>The decision recorded for this request by <see cref="Evaluate"/>, if policies denied it.</summary>
    public static PolicyDecision? DenialOf(HttpContext context) =>
        context.Items.TryGetValue(DecisionKey, out var value) && value is PolicyDecision { Allowed: false } d ? d : null;

    /// <summary>
    /// The object-level decision. Returns a 403 failure when policies deny; audits denials and restricted-data decisions.
    /// Without policies, RBAC (already enforced by the endpoint's permission) stands.
    /// </summary>
    public async Task<Failure?> AuthorizeAsync(HttpContext context, string action, EntityAttributes resource)
    {
        var principal = context.GetPrincipal();
        var restricted = resource.TryGet("classification", out var c) && c.Kind == AttributeKind.Classification && c.AsClassification == DataClassification.Restricted;
        if (!HasPolicies && !restricted)
        {
            return null;
        }

        var decision = PolicyEngine.Evaluate(new AccessRequest(PrincipalAttributes(principal), action, resource, ContextAttributes(context)),
            principal.Has(action), policies.Current);
        if (!decision.Allowed || restricted)
        {
            await AuditAsync(context, principal, action, Describe(resource), decision, restricted);
        }

        return decision.Allowed
            ? null
            : new Failure(ErrorCodes.Forbidden, StatusCodes.Status403Forbidden, "An access policy denies this action on this object.");
    }

    public Task AuditDenialAsync(HttpContext context, BulwarkPrincipal principal, string action, PolicyDecision decision) =>
        AuditAsync(context, principal, action, AuditPath.Of(context.Request), decision, restricted: false);

    private Task AuditAsync(HttpContext context, BulwarkPrincipal principal, string action, string resource, PolicyDecision decision, bool restricted) =>
        audit.AppendAsync(new AuditEntry(decision.Allowed ? AuditCodes.RestrictedAccessDecided : AuditCodes.PolicyDenied, "auth.policy", principal.Id, resource,
            decision.Allowed ? "success" : "denied", context.ClientAddress(), new Dictionary<string, object?>
            {
                ["action"] = action,
                ["reason"] = decision.Reason,
                ["policies"] = decision.DeterminingPolicies,
                ["errors"] = decision.Errors,
                ["errorMessages"] = decision.ErrorMessages,
                ["policyVersion"] = policies.Current.Version,
                ["policyDigest"] = policies.Current.Digest,
                ["restricted"] = restricted,
            }, principal.ProjectId == Core.Projects.ProjectIds.AllProjects ? null : principal.ProjectId));

    private static string Describe(EntityAttributes resource) =>
        (resource.TryGet("type", out var t) ? t.AsString : "object") + "/" + (resource.TryGet("id", out var id) ? id.AsString : "?");

    internal EntityAttributes ContextAttributes(HttpContext context)
    {
        var values = new List<(string, AttributeValue)> { ("time", AttributeValue.FromDateTime(time.GetUtcNow())) };
        if (context.Connection.RemoteIpAddress is IPAddress address)
        {
            values.Add(("clientIp", AttributeValue.FromIpAddress(address)));
        }

        return EntityAttributes.Create([.. values]);
    }

    internal static EntityAttributes PrincipalAttributes(BulwarkPrincipal principal)
    {
        var values = new List<(string, AttributeValue)>
        {
            ("id", S(principal.Id)),
            ("type", S(principal.Kind)),
            ("roles", AttributeValue.FromStrings(principal.Roles)),
            ("projects", AttributeValue.FromStrings(principal.Projects)),
            ("mfa", AttributeValue.FromBool(principal.Mfa)),
            ("authMethod", S(principal.AuthenticationMethod)),
        };

        // API keys and services carry no clearance: a policy comparing it errors, and so denies, unless it says "has".
        if (principal.Kind is PrincipalKinds.User)
        {
            values.Add(("clearance", AttributeValue.FromClassification(principal.Clearance)));
        }

        if (principal.AuthTime is { } authTime)
        {
            values.Add(("authTime", AttributeValue.FromDateTime(authTime)));
        }

        return EntityAttributes.Create([.. values]);
    }

    internal static AttributeValue S(string value) => AttributeValue.FromString(value);

    /// <summary>A dataset as a policy sees it.</summary>
    public static EntityAttributes DatasetAttributes(Dataset dataset) => EntityAttributes.Create(
        ("type", S("dataset")),
        ("id", S(dataset.Id.ToString("D"))),
        ("project", S(dataset.ProjectId)),
        ("classification", AttributeValue.FromClassification(dataset.Classification)),
        ("owner", S(dataset.CreatedBy)));
}

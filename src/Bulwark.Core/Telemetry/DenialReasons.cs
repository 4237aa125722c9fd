namespace Bulwark.Core.Telemetry;

/// <summary>The values of the <c>reason</c> tag of <c>bulwark.auth.denials</c>: a fixed set, so the metric stays small.</summary>
internal static class DenialReasons
{
    /// <summary>No credential was presented to an endpoint that needs one: 401.</summary>
    public const string Unauthenticated = "unauthenticated";

    /// <summary>A credential was presented and refused (unknown, expired, revoked, malformed): 401.</summary>
    public const string Authentication = "authentication";

    /// <summary>The caller's roles or scopes lack the endpoint's permission, or it needs a second factor: 403.</summary>
    public const string Permission = "permission";

    /// <summary>An access policy (ABAC) forbade a request RBAC alone would have allowed, or did not permit it: 403.</summary>
    public const string Policy = "policy";

    /// <summary>The caller named a project it is not a member of (or that does not exist): 404.</summary>
    public const string Project = "project";

    /// <summary>Credentials from a network over its failed-authentication limit, refused without a look-up: 429.</summary>
    public const string Throttled = "throttled";
}

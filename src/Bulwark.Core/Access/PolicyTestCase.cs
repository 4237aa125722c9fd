namespace Bulwark.Core.Access;

/// <summary>
/// One case of a policy test file. <paramref name="Rbac"/> null means "compute it from principal.roles and the
/// action with the role catalog"; <paramref name="ExpectedPolicies"/> null means "any".
/// </summary>
internal sealed record PolicyTestCase(string Name, AccessRequest Request, bool? Rbac, bool ExpectAllow, IReadOnlyList<string>? ExpectedPolicies);

using System.Collections.Frozen;

namespace Bulwark.Core.Access;

/// <summary>
/// The <c>principal</c> / <c>resource</c> scope of a policy: every field given must match (roles: any of them); a
/// field left out matches anything. A request without the attribute does not match (the policy does not apply).
/// </summary>
internal sealed record EntityMatcher(string? Type, string? Id, FrozenSet<string>? Roles, string? Project)
{
    public bool Matches(EntityAttributes entity) =>
        Equal(entity, "type", Type)
        && Equal(entity, "id", Id)
        && Equal(entity, "project", Project)
        && (Roles is null || entity.Strings("roles").Any(Roles.Contains));

    private static bool Equal(EntityAttributes entity, string name, string? expected) =>
        expected is null
        || entity.TryGet(name, out var value) && value.Kind == AttributeKind.String && string.Equals(value.AsString, expected, StringComparison.Ordinal);
}

namespace Bulwark.Core.Access;

/// <summary>Who (<paramref name="Principal"/>) wants to do what (<paramref name="Action"/>, a permission string) to which resource, and in which context.</summary>
internal sealed record AccessRequest(EntityAttributes Principal, string Action, EntityAttributes Resource, EntityAttributes Context);

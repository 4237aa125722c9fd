namespace Bulwark.Server.Authentication;

/// <summary>
/// Marks an endpoint whose ABAC decision is taken on the object it loads (a dataset, a model version), with all of that
/// object's attributes, instead of on the bare request: a rule about a version's trainer or a dataset's classification
/// cannot be judged before the object is known. RBAC still gates the request first.
/// </summary>
internal sealed record ObjectPolicyMetadata
{
    public static readonly ObjectPolicyMetadata Instance = new();
}

internal static class ObjectPolicyExtensions
{
    public static TBuilder EvaluatesPolicyOnObject<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(ObjectPolicyMetadata.Instance);
}

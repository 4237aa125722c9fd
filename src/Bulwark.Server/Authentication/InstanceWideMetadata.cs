namespace Bulwark.Server.Authentication;

/// <summary>
/// Marks an endpoint that acts on the whole instance (users, projects, policies, the audit chain) rather than on one
/// project: the caller's permissions there come only from instance-wide ("*") grants.
/// </summary>
internal sealed record InstanceWideMetadata
{
    public static readonly InstanceWideMetadata Instance = new();
}

internal static class InstanceWideExtensions
{
    public static TBuilder InstanceWide<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(InstanceWideMetadata.Instance);
}

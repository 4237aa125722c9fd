namespace Bulwark.Core.Identity;

/// <summary>An authenticated caller: who it is, how it authenticated, and what it may do.</summary>
internal sealed record BulwarkPrincipal(string Id, string Name, IReadOnlySet<string> Scopes, string AuthenticationMethod)
{
    /// <summary>True when the scopes grant <paramref name="permission"/>. "admin" grants everything; "predict:*" any model.</summary>
    public bool Has(string permission) => Permissions.Grants(Scopes, permission);
}

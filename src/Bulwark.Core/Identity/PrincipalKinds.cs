namespace Bulwark.Core.Identity;

/// <summary>The kinds of principal (ABAC attribute <c>principal.type</c>).</summary>
internal static class PrincipalKinds
{
    public const string User = "user";
    public const string ApiKey = "apikey";
    public const string Service = "service";
    public const string External = "external";
}

namespace Bulwark.Core.Registry;

/// <summary>The <see cref="ModelRelease.Action"/> values.</summary>
internal static class ReleaseActions
{
    public const string Promote = "promote";
    public const string Rollback = "rollback";
    public const string Fallback = "fallback";
    public const string Retire = "retire";
    public const string Quarantine = "quarantine";
    public const string Adopt = "adopt";
}

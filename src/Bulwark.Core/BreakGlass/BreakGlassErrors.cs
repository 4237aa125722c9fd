namespace Bulwark.Core.BreakGlass;

/// <summary>Stable problem codes of emergency access (the same strings as <c>Bulwark.Client.Contracts.ErrorCodes</c>).</summary>
internal static class BreakGlassErrors
{
    public const string Invalid = "break-glass.invalid";
    public const string NotEligible = "break-glass.not-eligible";
    public const string Disabled = "break-glass.disabled";
    public const string AlreadyActive = "break-glass.already-active";
    public const string NotFound = "break-glass.not-found";
    public const string Ended = "break-glass.ended";
}

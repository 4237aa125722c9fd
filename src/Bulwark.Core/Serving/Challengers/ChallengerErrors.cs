namespace Bulwark.Core.Serving;

/// <summary>Stable problem codes of the champion/challenger feature (the same strings as <c>Bulwark.Client.Contracts.ErrorCodes</c>).</summary>
internal static class ChallengerErrors
{
    /// <summary>The challenger is not newer than the production version: a challenger must not become a path back to an old version.</summary>
    public const string NotNewer = "registry.challenger-not-newer";

    /// <summary>The request is malformed (mode, share).</summary>
    public const string Invalid = "registry.challenger-invalid";

    /// <summary>A stored challenger configuration whose tag does not verify (written outside Bulwark); it is not served.</summary>
    public const string ConfigTampered = "registry.challenger-tampered";

    public static Failure Bad(string detail) => new(Invalid, 400, detail);
}

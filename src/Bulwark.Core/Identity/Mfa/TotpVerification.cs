namespace Bulwark.Core.Identity.Mfa;

/// <summary>
/// The outcome of checking a TOTP code. When <paramref name="Valid"/>, the caller must persist
/// <paramref name="MatchedStep"/> as the user's new last-used step so the same code cannot be replayed.
/// </summary>
internal sealed record TotpVerification(bool Valid, long? MatchedStep, string? Code)
{
    public static TotpVerification Accepted(long step) => new(true, step, null);

    public static TotpVerification Refused(string code, long? matchedStep = null) => new(false, matchedStep, code);
}

namespace Bulwark.Core.Privacy;

/// <summary>
/// A data subject's key: the value of a dataset's subject column, or of the <c>Bulwark-Subject</c> header of a
/// prediction. It is personal data itself, so it is never stored, logged or audited in clear, only as an HMAC
/// (<see cref="CapturePseudonyms"/>).
/// </summary>
internal static class SubjectKeys
{
    public const int MaxLength = 256;

    /// <summary>1–256 characters once trimmed, none of them a control character.</summary>
    public static bool IsValid(string? key)
    {
        if (key is null)
        {
            return false;
        }

        var trimmed = key.Trim();
        return trimmed.Length is > 0 and <= MaxLength && !trimmed.Any(char.IsControl);
    }

    /// <summary>The key as it is compared: trimmed, case kept (identifiers are case-sensitive).</summary>
    public static string Normalise(string key) => key.Trim();
}

namespace Bulwark.Core.Identity.Tokens;

/// <summary>Media-type comparison for the JOSE <c>typ</c> header.</summary>
internal static class TokenTypes
{
    /// <summary>
    /// RFC 7515 §4.1.9: <c>typ</c> is a media type, compared case-insensitively, and the "application/" prefix may be
    /// omitted; so "at+jwt", "AT+JWT" and "application/at+jwt" are the same type.
    /// </summary>
    public static bool Matches(string? typ, IReadOnlyList<string> accepted)
    {
        if (typ is null)
            return false;
        var bare = typ.StartsWith("application/", StringComparison.OrdinalIgnoreCase) ? typ["application/".Length..] : typ;
        foreach (var candidate in accepted)
        {
            if (string.Equals(bare, candidate, StringComparison.OrdinalIgnoreCase))
                return true;
        }

        return false;
    }
}

namespace Bulwark.Server.Authentication;

/// <summary>
/// The request path as audit events record it. The path is attacker-chosen and Kestrel admits up to 8 KB of it:
/// recorded whole, every unauthenticated request could append kilobytes to the permanent, hash-chained ledger.
/// </summary>
internal static class AuditPath
{
    /// <summary>Longest path recorded; longer paths keep their first characters and a marker.</summary>
    public const int MaxLength = 256;

    private const string Marker = "…";

    public static string Of(HttpRequest request) => Truncate(request.Path.Value);

    public static string Truncate(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "";
        }

        if (path.Length <= MaxLength)
        {
            return path;
        }

        // Do not split a UTF-16 surrogate pair: a lone surrogate is not valid in the ledger's JSON (RFC 8259 §8.2).
        var cut = MaxLength - Marker.Length;
        if (char.IsHighSurrogate(path[cut - 1]))
        {
            cut--;
        }

        return string.Concat(path.AsSpan(0, cut), Marker);
    }
}

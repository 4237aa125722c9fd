using System.Text.RegularExpressions;

namespace Bulwark.Core.Compliance;

/// <summary>
/// Masks the personal values that free text typed by people tends to carry — card numbers (kept as their last four) and
/// e-mail addresses — before that text is stored or audited in clear (incident notes, display names, audit search filters).
/// </summary>
internal static partial class SensitiveText
{
    public const string EmailMask = "[email]";

    public static string Redact(string text) => EmailPattern().Replace(PanMasking.Scrub(text), EmailMask);

    public static string? RedactOrNull(string? text) => text is null ? null : Redact(text);

    /// <summary>
    /// <see cref="Redact"/> for JSON text, such as a finished log line. JSON escapes put hex digits next to a value's
    /// digits — an apostrophe before a card number is written <c>\u0027</c>, and "\u00274111…" reads as one run too long
    /// for a card — so PANs are looked for in a copy with every <c>\uXXXX</c> escape blanked, then masked in place.
    /// </summary>
    public static string RedactJson(string json)
    {
        var probe = JsonEscapePattern().Replace(json, m => new string('x', m.Length));
        return EmailPattern().Replace(PanMasking.Scrub(json, probe), EmailMask);
    }

    [GeneratedRegex(@"\\u[0-9A-Fa-f]{4}", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex JsonEscapePattern();

    // Deliberately broad (anything@anything.tld): a false positive only masks a word, a miss stores an address.
    [GeneratedRegex(@"[\p{L}\p{N}._%+\-']+@[\p{L}\p{N}\-]+(\.[\p{L}\p{N}\-]+)+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex EmailPattern();
}

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

    // Deliberately broad (anything@anything.tld): a false positive only masks a word, a miss stores an address.
    [GeneratedRegex(@"[\p{L}\p{N}._%+\-']+@[\p{L}\p{N}\-]+(\.[\p{L}\p{N}\-]+)+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex EmailPattern();
}

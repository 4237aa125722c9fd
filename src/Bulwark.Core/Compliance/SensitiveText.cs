using System.Globalization;
using System.Text;
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
    /// <see cref="Redact"/> for JSON text, such as a finished log line. Escapes hide what the scanners look for: an
    /// apostrophe before a card number is written <c>\u0027</c> ("\u00274111…" reads as one run too long for a card), a
    /// no-break space or full-width digit inside one becomes six characters, and <c>m\u00FCller.de</c> is no e-mail
    /// address to a pattern. So both scanners read the decoded text, and what they find is masked over the escapes that
    /// spelled it in the JSON (the masks are plain ASCII, so the JSON stays valid).
    /// </summary>
    public static string RedactJson(string json)
    {
        if (!json.Contains('\\', StringComparison.Ordinal))
        {
            return Redact(json);
        }

        // The decoded text, and for each of its characters where it starts and ends in the JSON.
        var decoded = new StringBuilder(json.Length);
        var starts = new List<int>(json.Length);
        var ends = new List<int>(json.Length);
        for (var i = 0; i < json.Length;)
        {
            var length = 1;
            var c = json[i];
            if (c == '\\' && i + 1 < json.Length)
            {
                var escaped = json[i + 1];
                if (escaped == 'u' && i + 5 < json.Length
                    && ushort.TryParse(json.AsSpan(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                {
                    c = (char)code;
                    length = 6;
                }
                else
                {
                    c = escaped switch { 'n' => '\n', 't' => '\t', 'r' => '\r', 'b' => '\b', 'f' => '\f', var other => other };
                    length = 2;
                }
            }

            decoded.Append(c);
            starts.Add(i);
            ends.Add(i + length);
            i += length;
        }

        var text = decoded.ToString();
        var masks = new List<(int Start, int End, string Mask)>();
        foreach (var card in CardNumberDetector.Find(text))
        {
            masks.Add((card.Start, card.Start + card.Length, PanMasking.LastFour(card.Digits)));
        }

        foreach (Match email in EmailPattern().Matches(text))
        {
            masks.Add((email.Index, email.Index + email.Length, EmailMask));
        }

        if (masks.Count == 0)
        {
            return json;
        }

        masks.Sort((a, b) => a.Start.CompareTo(b.Start));
        var result = new StringBuilder(json.Length);
        var position = 0;
        var covered = 0;
        foreach (var (maskStart, maskEnd, mask) in masks)
        {
            if (maskStart < covered)
            {
                continue;
            }

            result.Append(json, position, starts[maskStart] - position).Append(mask);
            position = ends[maskEnd - 1];
            covered = maskEnd;
        }

        return result.Append(json, position, json.Length - position).ToString();
    }

    // Deliberately broad (anything@anything.tld): a false positive only masks a word, a miss stores an address.
    [GeneratedRegex(@"[\p{L}\p{N}._%+\-']+@[\p{L}\p{N}\-]+(\.[\p{L}\p{N}\-]+)+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex EmailPattern();
}

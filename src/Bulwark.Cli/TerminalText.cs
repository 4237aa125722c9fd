using System.Globalization;
using System.Text;
using Spectre.Console;

namespace Bulwark.Cli;

/// <summary>
/// Makes text the server (or anything else remote) supplied safe to print on a terminal. A hostile or compromised
/// server controls problem details, names and job messages: left as they are, C0/C1 controls would let it send
/// escape sequences (OSC 8 links, window-title writes, cursor moves that overwrite earlier lines) and Unicode format
/// characters would let it reorder what the user reads (Trojan Source, CVE-2021-42574: bidi overrides U+202A–U+202E,
/// isolates U+2066–U+2069, zero-width characters).
/// </summary>
internal static class TerminalText
{
    /// <summary>What replaces each removed character, so a tampered message stays visibly tampered.</summary>
    public const char Replacement = '\uFFFD';

    /// <summary>Replaces control, format, line/paragraph separator and unpaired surrogate characters.</summary>
    public static string Sanitize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        StringBuilder? builder = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var keep = true;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                keep = !IsUnsafe(CharUnicodeInfo.GetUnicodeCategory(text, i));
                if (keep)
                {
                    builder?.Append(c).Append(text[i + 1]);
                }
                else
                {
                    builder ??= new StringBuilder(text.Length).Append(text, 0, i);
                    builder.Append(Replacement);
                }

                i++;
                continue;
            }

            keep = !char.IsSurrogate(c) && !IsUnsafe(CharUnicodeInfo.GetUnicodeCategory(c));
            if (keep)
            {
                builder?.Append(c);
            }
            else
            {
                builder ??= new StringBuilder(text.Length).Append(text, 0, i);
                builder.Append(Replacement);
            }
        }

        return builder?.ToString() ?? text;
    }

    /// <summary>A table cell: sanitized, then escaped for Spectre markup.</summary>
    public static string Cell(string? text) => Markup.Escape(Sanitize(text));

    private static bool IsUnsafe(UnicodeCategory category) => category is UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;
}

namespace Bulwark.Core.Compliance;

/// <summary>
/// E-mail addresses as people write them: the dot-atom form of RFC 5322 §3.4.1 (no quoted local parts, no address
/// literals) with a domain of at least two DNS labels (RFC 1035 §2.3.1) whose last label is alphabetic or an IDNA
/// "xn--" label. Hand-written rather than a regular expression: it runs on every cell of every import.
/// </summary>
internal static class EmailDetector
{
    private const string AtomSpecials = "!#$%&'*+/=?^_`{|}~-";

    public static bool IsEmail(ReadOnlySpan<char> cell)
    {
        // RFC 5321 §4.5.3.1: 64 octets of local part, 254 of path in practice.
        if (cell.Length is < 6 or > 254)
        {
            return false;
        }

        var at = cell.IndexOf('@');
        if (at <= 0 || at > 64 || cell[(at + 1)..].Contains('@'))
        {
            return false;
        }

        return IsLocalPart(cell[..at]) && IsDomain(cell[(at + 1)..]);
    }

    private static bool IsLocalPart(ReadOnlySpan<char> local)
    {
        if (local[0] == '.' || local[^1] == '.')
        {
            return false;
        }

        for (var i = 0; i < local.Length; i++)
        {
            var c = local[i];
            if (c == '.')
            {
                if (local[i - 1] == '.')
                {
                    return false;
                }
            }
            else if (!char.IsAsciiLetterOrDigit(c) && !AtomSpecials.Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDomain(ReadOnlySpan<char> domain)
    {
        var labels = 0;
        ReadOnlySpan<char> last = default;
        foreach (var range in domain.Split('.'))
        {
            var label = domain[range];
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    return false;
                }
            }

            labels++;
            last = label;
        }

        if (labels < 2)
        {
            return false;
        }

        // A top-level domain is letters (RFC 3696 §2), or an internationalised one in its ASCII form.
        return (last.Length >= 2 && IsAllLetters(last)) || (last.Length > 4 && last.StartsWith("xn--", StringComparison.OrdinalIgnoreCase));
    }

    private static bool IsAllLetters(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }
        }

        return true;
    }
}

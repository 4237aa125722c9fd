using System.Text;

namespace Bulwark.Core.Compliance;

/// <summary>
/// What a column's name suggests it holds. Names are split into words (at '_', '.', '-', digits and lower-to-upper case
/// changes), so "card_number", "CardNumber" and "cc-num" hint at card numbers while "discard" and "company" do not.
/// </summary>
internal static class HeaderHints
{
    private static readonly Dictionary<string, SensitiveDataKind> Words = new(StringComparer.Ordinal)
    {
        ["card"] = SensitiveDataKind.CardNumber,
        ["cc"] = SensitiveDataKind.CardNumber,
        ["ccnum"] = SensitiveDataKind.CardNumber,
        ["ccnumber"] = SensitiveDataKind.CardNumber,
        ["pan"] = SensitiveDataKind.CardNumber,
        ["cardnumber"] = SensitiveDataKind.CardNumber,
        ["creditcard"] = SensitiveDataKind.CardNumber,
        ["ssn"] = SensitiveDataKind.Ssn,
        ["social"] = SensitiveDataKind.Ssn,
        ["iban"] = SensitiveDataKind.Iban,
        ["email"] = SensitiveDataKind.Email,
        ["mail"] = SensitiveDataKind.Email,
        ["phone"] = SensitiveDataKind.Phone,
        ["telephone"] = SensitiveDataKind.Phone,
        ["tel"] = SensitiveDataKind.Phone,
        ["mobile"] = SensitiveDataKind.Phone,
        ["cell"] = SensitiveDataKind.Phone,
        ["msisdn"] = SensitiveDataKind.Phone,
        ["fax"] = SensitiveDataKind.Phone,
        ["dob"] = SensitiveDataKind.BirthDate,
        ["birth"] = SensitiveDataKind.BirthDate,
        ["birthdate"] = SensitiveDataKind.BirthDate,
        ["birthday"] = SensitiveDataKind.BirthDate,
        ["born"] = SensitiveDataKind.BirthDate,
        ["bday"] = SensitiveDataKind.BirthDate,
    };

    /// <summary>The kinds the words of <paramref name="columnName"/> hint at (usually none or one).</summary>
    public static IReadOnlySet<SensitiveDataKind> Of(string columnName)
    {
        var kinds = new HashSet<SensitiveDataKind>();
        foreach (var word in SplitWords(columnName))
        {
            if (Words.TryGetValue(word, out var kind))
            {
                kinds.Add(kind);
            }
        }

        return kinds;
    }

    internal static IEnumerable<string> SplitWords(string name)
    {
        var word = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var boundary = !char.IsAsciiLetter(c) || (char.IsAsciiLetterUpper(c) && i > 0 && char.IsAsciiLetterLower(name[i - 1]));
            if (boundary && word.Length > 0)
            {
                yield return word.ToString().ToLowerInvariant();
                word.Clear();
            }

            if (char.IsAsciiLetter(c))
            {
                word.Append(c);
            }
        }

        if (word.Length > 0)
        {
            yield return word.ToString().ToLowerInvariant();
        }
    }
}

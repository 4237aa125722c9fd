using Bulwark.Core.Datasets;

namespace Bulwark.Core.Compliance;

/// <summary>
/// The sensitivity tags a dataset column can carry: <c>pii</c> (personal data, GDPR Art. 4(1)), <c>phi</c> (protected
/// health information, HIPAA 45 CFR 160.103) and <c>pci</c> (cardholder data, PCI DSS 4.0), or none. Detection only ever
/// yields pii or pci (no detector can tell a diagnosis from any other category); phi comes from a declaration.
/// </summary>
internal static class ColumnTags
{
    public const string Pii = "pii";
    public const string Phi = "phi";
    public const string Pci = "pci";

    /// <summary>Declared to say "this column holds nothing sensitive"; recorded as no tag.</summary>
    public const string None = "none";

    /// <summary>The tag a detector's finding implies: a card number is cardholder data, everything else personal data.</summary>
    public static string For(SensitiveDataKind kind) => kind == SensitiveDataKind.CardNumber ? Pci : Pii;

    /// <summary>
    /// The lowest classification a dataset holding a column with <paramref name="tag"/> may have: personal data is at
    /// least confidential; health and cardholder data are restricted (the classification that needs four eyes to promote
    /// a model trained on it, audits every access decision and, under the usual policy, a matching clearance).
    /// </summary>
    public static DataClassification Floor(string? tag) => tag switch
    {
        Pci or Phi => DataClassification.Restricted,
        Pii => DataClassification.Confidential,
        _ => DataClassification.Public,
    };

    /// <summary>The name of a detector's finding as the schema and the API show it.</summary>
    public static string NameOf(SensitiveDataKind kind) => kind switch
    {
        SensitiveDataKind.CardNumber => "card-number",
        SensitiveDataKind.Ssn => "ssn",
        SensitiveDataKind.Iban => "iban",
        SensitiveDataKind.Email => "email",
        SensitiveDataKind.Phone => "phone",
        SensitiveDataKind.BirthDate => "birth-date",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// Parses declarations written <c>column:tag[,column:tag…]</c> (tag one of pii, phi, pci, none). A column named twice
    /// or an unknown tag is an error; column names are checked against the CSV header later.
    /// </summary>
    public static Outcome<IReadOnlyDictionary<string, string>> ParseDeclarations(string? text)
    {
        var declared = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
        {
            return declared;
        }

        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var colon = item.LastIndexOf(':');
            if (colon <= 0)
            {
                return DatasetErrors.InvalidRequest("tags must be written column:tag[,column:tag…], with tag one of pii, phi, pci, none.");
            }

            var column = item[..colon].Trim();
            var tag = item[(colon + 1)..].Trim().ToLowerInvariant();
            if (tag is not (Pii or Phi or Pci or None))
            {
                return DatasetErrors.InvalidRequest($"Column '{column}': the tag must be pii, phi, pci or none.");
            }

            if (!declared.TryAdd(column, tag))
            {
                return DatasetErrors.InvalidRequest($"Column '{column}' is tagged more than once.");
            }
        }

        return declared;
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bulwark.Core.Datasets;

/// <summary>The columns of an imported dataset with the statistics recorded at import; stored as <see cref="Dataset.SchemaJson"/>.</summary>
internal sealed record DatasetSchema(IReadOnlyList<DatasetColumnSchema> Columns)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The label column, if one was declared.</summary>
    public DatasetColumnSchema? Label => Columns.FirstOrDefault(c => c.Kind == ColumnKind.Label);

    public DatasetColumnSchema? Find(string name) => Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static DatasetSchema FromJson(string json) =>
        JsonSerializer.Deserialize<DatasetSchema>(json, Json) ?? throw new JsonException("Empty dataset schema.");
}

/// <param name="Min">Numeric columns (and numeric labels): smallest value.</param>
/// <param name="Categories">Categorical columns (and non-numeric labels): distinct values, sorted ordinally.</param>
/// <param name="Tag">"pii", "phi" or "pci" (declared at import, or detected); null when the column holds none of these.</param>
/// <param name="Detected">What the import's detectors recognised ("card-number", "email"…), even where a declaration won.</param>
/// <param name="Protection">"truncated" or "tokenised" when the import replaced the card numbers of this column.</param>
internal sealed record DatasetColumnSchema(
    string Name,
    ColumnKind Kind,
    double? Min = null,
    double? Max = null,
    double? Mean = null,
    double? StdDev = null,
    IReadOnlyList<string>? Categories = null,
    string? Tag = null,
    string? Detected = null,
    string? Protection = null)
{
    /// <summary>Numeric values (a numeric feature, or a label whose cells are all numbers).</summary>
    [JsonIgnore]
    public bool IsNumeric => Kind == ColumnKind.Numeric || (Kind == ColumnKind.Label && Categories is null);
}

internal enum ColumnKind
{
    Numeric,
    Categorical,
    Label,

    /// <summary>
    /// Values kept per row with neither statistics nor a category set, and never a training feature: what a card-number
    /// column becomes once truncated or tokenised (one distinct value per card, no signal, and no list of them to show).
    /// </summary>
    Identifier,
}

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
internal sealed record DatasetColumnSchema(
    string Name,
    ColumnKind Kind,
    double? Min = null,
    double? Max = null,
    double? Mean = null,
    double? StdDev = null,
    IReadOnlyList<string>? Categories = null)
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
}

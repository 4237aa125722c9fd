using System.Text.Json;

namespace Bulwark.Core.Serving;

/// <summary>
/// Name → position lookups for a schema's features and categories that read JSON property names and string values
/// without allocating (UTF-16 copy into a stack buffer, alternate-key dictionary lookup).
/// </summary>
internal sealed class FeatureIndex
{
    private const int MaxNameChars = 512;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _features;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>>?[] _categories;

    public FeatureIndex(FeatureSchema schema)
    {
        Schema = schema;
        var features = new Dictionary<string, int>(StringComparer.Ordinal);
        _categories = new Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>>?[schema.Features.Count];
        for (var i = 0; i < schema.Features.Count; i++)
        {
            var f = schema.Features[i];
            features[f.Name] = i;
            if (f.Kind == FeatureKind.Categorical)
            {
                var categories = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var c = 0; c < f.Categories!.Count; c++)
                {
                    categories[f.Categories[c]] = c;
                }

                _categories[i] = categories.GetAlternateLookup<ReadOnlySpan<char>>();
            }
        }

        _features = features.GetAlternateLookup<ReadOnlySpan<char>>();
        HasCategorical = schema.Features.Any(f => f.Kind == FeatureKind.Categorical);
    }

    public FeatureSchema Schema { get; }
    public int Count => Schema.Features.Count;
    public bool HasCategorical { get; }

    /// <summary>The feature index for the current property name or string token; -1 when unknown.</summary>
    public int FindFeature(ref Utf8JsonReader reader) => Find(ref reader, _features);

    /// <summary>The schema's category string for the current string token; null when not a category of the feature.</summary>
    public string? FindCategory(int feature, ref Utf8JsonReader reader)
    {
        var lookup = _categories[feature]!.Value;
        var index = Find(ref reader, lookup);
        return index < 0 ? null : Schema.Features[feature].Categories![index];
    }

    private static int Find(ref Utf8JsonReader reader, Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup)
    {
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (length > MaxNameChars)
        {
            return -1;
        }

        Span<char> buffer = stackalloc char[MaxNameChars];
        var written = reader.CopyString(buffer);
        return lookup.TryGetValue(buffer[..written], out var index) ? index : -1;
    }

    /// <summary>A short, printable copy of the current token for error messages (never logged or audited).</summary>
    public static string Echo(ref Utf8JsonReader reader)
    {
        var text = reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName ? reader.GetString() ?? "" : "";
        return new([.. text.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
    }
}

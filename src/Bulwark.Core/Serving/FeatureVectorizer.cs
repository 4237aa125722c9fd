namespace Bulwark.Core.Serving;

/// <summary>
/// Turns validated feature values into the model's float input vector. Training and serving share this, so a model
/// sees exactly the encoding it was trained on: numeric values as float, categorical values one-hot in schema order.
/// </summary>
internal static class FeatureVectorizer
{
    /// <summary>Writes one row. <paramref name="numeric"/>[i] is used for numeric feature i, <paramref name="categorical"/>[i] for categorical ones.</summary>
    /// <exception cref="ArgumentException">A categorical value is not in the schema (validation should have caught it).</exception>
    public static void WriteRow(FeatureSchema schema, ReadOnlySpan<double> numeric, IReadOnlyList<string?> categorical, Span<float> destination)
    {
        var offset = 0;
        for (var i = 0; i < schema.Features.Count; i++)
        {
            var feature = schema.Features[i];
            if (feature.Kind == FeatureKind.Numeric)
            {
                destination[offset++] = (float)numeric[i];
                continue;
            }

            var categories = feature.Categories!;
            var value = categorical[i];
            var hit = false;
            for (var c = 0; c < categories.Count; c++)
            {
                var match = string.Equals(categories[c], value, StringComparison.Ordinal);
                destination[offset++] = match ? 1f : 0f;
                hit |= match;
            }

            if (!hit)
            {
                throw new ArgumentException($"Unknown category for feature '{feature.Name}'.", nameof(categorical));
            }
        }
    }
}

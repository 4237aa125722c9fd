using System.Globalization;
using System.Text.Json;
using Bulwark.Core.Serving;

namespace Bulwark.Core.Monitoring;

/// <summary>
/// Live feature values and predictions collected for one drift comparison against <see cref="Profile"/>. Only the
/// profiled features are kept; values of other names, and values of the wrong kind, are ignored rather than guessed at.
/// </summary>
internal sealed class LiveSample(ReferenceProfile profile)
{
    private readonly Dictionary<string, List<double>> _numeric =
        profile.Numeric.ToDictionary(p => p.Name, _ => new List<double>(), StringComparer.Ordinal);

    private readonly Dictionary<string, Dictionary<string, int>> _categorical =
        profile.Categorical.ToDictionary(p => p.Name, _ => new Dictionary<string, int>(StringComparer.Ordinal), StringComparer.Ordinal);

    private readonly List<double> _scores = [];
    private readonly Dictionary<string, int> _classes = new(StringComparer.Ordinal);

    public ReferenceProfile Profile { get; } = profile;

    /// <summary>Rows added through <see cref="AddRow(IReadOnlyDictionary{string, object?})"/> or <see cref="AddRow(FeatureSchema, ReadOnlySpan{double}, IReadOnlyList{string?}, IReadOnlySet{string}?)"/>.</summary>
    public int Rows { get; private set; }

    public int Predictions => _scores.Count;

    /// <summary>One row as feature name → value: numbers (any numeric type, or a JSON number) and strings (categories).</summary>
    public LiveSample AddRow(IReadOnlyDictionary<string, object?> row)
    {
        Rows++;
        foreach (var (name, value) in row)
        {
            switch (value)
            {
                case string text:
                    AddCategory(name, text);
                    break;
                case JsonElement { ValueKind: JsonValueKind.String } text:
                    AddCategory(name, text.GetString()!);
                    break;
                case JsonElement { ValueKind: JsonValueKind.Number } number:
                    AddValue(name, number.GetDouble());
                    break;
                case double or float or int or long or short or byte or decimal:
                    AddValue(name, Convert.ToDouble(value, CultureInfo.InvariantCulture));
                    break;
            }
        }

        return this;
    }

    /// <summary>One validated row in schema order, as the prediction parser holds it (numeric and categorical slots).</summary>
    /// <param name="excluded">Features left out of the comparison (pseudonymised in the capture: their placeholders are no data).</param>
    public LiveSample AddRow(FeatureSchema schema, ReadOnlySpan<double> numeric, IReadOnlyList<string?> categorical, IReadOnlySet<string>? excluded = null)
    {
        Rows++;
        for (var i = 0; i < schema.Features.Count; i++)
        {
            var feature = schema.Features[i];
            if (excluded?.Contains(feature.Name) == true)
            {
                continue;
            }

            if (feature.Kind == FeatureKind.Numeric && i < numeric.Length)
            {
                AddValue(feature.Name, numeric[i]);
            }
            else if (feature.Kind == FeatureKind.Categorical && i < categorical.Count && categorical[i] is { } value)
            {
                AddCategory(feature.Name, value);
            }
        }

        return this;
    }

    public void AddValue(string feature, double value)
    {
        if (double.IsFinite(value) && _numeric.TryGetValue(feature, out var values))
        {
            values.Add(value);
        }
    }

    public void AddCategory(string feature, string value)
    {
        if (_categorical.TryGetValue(feature, out var counts))
        {
            counts[value] = counts.GetValueOrDefault(value) + 1;
        }
    }

    /// <summary>A served prediction, as the caller received it (binary scores are turned back into P(positive)).</summary>
    public LiveSample AddPrediction(RowPrediction prediction)
    {
        if (Profile.Predictions is not { } reference)
        {
            return this;
        }

        if (PredictionProfile.ScoreOf(prediction, reference.Task, reference.PositiveClass) is not { } score)
        {
            return this;
        }

        _scores.Add(score);
        if (reference.Task != "regression" && prediction.Label is { } label)
        {
            _classes[label] = _classes.GetValueOrDefault(label) + 1;
        }

        return this;
    }

    internal ReadOnlySpan<double> Values(string feature) =>
        _numeric.TryGetValue(feature, out var values) ? System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values) : [];

    internal IReadOnlyDictionary<string, int> Categories(string feature) =>
        _categorical.TryGetValue(feature, out var counts) ? counts : new Dictionary<string, int>();

    internal ReadOnlySpan<double> Scores => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_scores);

    internal IReadOnlyDictionary<string, int> Classes => _classes;
}

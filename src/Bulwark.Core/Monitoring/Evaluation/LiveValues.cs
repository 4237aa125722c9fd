using System.Globalization;
using Bulwark.Core.Serving;

namespace Bulwark.Core.Monitoring;

/// <summary>
/// The served inputs and outputs of a window, column by column, re-read from the sealed captures with the version's own
/// parser (so the values are exactly what the model was given).
/// </summary>
internal sealed class LiveValues
{
    public LiveValues(FeatureSchema schema)
    {
        Numeric = schema.Features.Select(f => f.Kind == FeatureKind.Numeric ? new List<double>() : null).ToArray();
        Categorical = schema.Features.Select(f => f.Kind == FeatureKind.Categorical ? new List<string>() : null).ToArray();
    }

    /// <summary>Per schema feature: the values of numeric features (null for categorical ones).</summary>
    public List<double>?[] Numeric { get; }

    /// <summary>Per schema feature: the values of categorical features (null for numeric ones).</summary>
    public List<string>?[] Categorical { get; }

    /// <summary>Served outputs: labels, or regression values as invariant text.</summary>
    public List<string> Outputs { get; } = [];

    public int Rows { get; private set; }

    public void Add(CapturedPrediction row, CapturePayload payload, LoadedModel model, int maxRows)
    {
        var protocol = row.Protocol == "oip-v2" ? PredictionProtocol.OipV2 : PredictionProtocol.V1;
        var parsed = PredictionRequestParser.Parse(payload.Body, protocol, model.Index, maxRows);
        if (!parsed.Succeeded)
        {
            return;
        }

        using var batch = parsed.Value;
        for (var r = 0; r < batch.Rows; r++)
        {
            var numeric = batch.NumericRow(r);
            var categorical = batch.CategoricalRow(r);
            for (var f = 0; f < Numeric.Length; f++)
            {
                Numeric[f]?.Add(numeric[f]);
                if (Categorical[f] is { } values && categorical[f] is { } value)
                {
                    values.Add(value);
                }
            }
        }

        Rows += batch.Rows;
        Outputs.AddRange(payload.Outputs);
    }

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

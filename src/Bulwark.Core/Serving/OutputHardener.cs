using System.Globalization;

namespace Bulwark.Core.Serving;

/// <summary>
/// Turns raw model outputs into what callers see. Minimised by default: a label with its score rounded to 2 decimals.
/// With <c>full</c> (callers holding <c>predictions:full</c>): the score to 4 decimals and every class probability.
/// Regression values are rounded to 6 significant digits. Coarse outputs make model-extraction and
/// membership-inference attacks that rely on full-precision confidences costlier (Tramèr et al., USENIX Security 2016, §6).
/// </summary>
internal static class OutputHardener
{
    public static RowPrediction[] Harden(OutputSpec output, ReadOnlySpan<float> raw, int rows, int width, bool includeProbabilities)
    {
        var result = new RowPrediction[rows];
        for (var r = 0; r < rows; r++)
        {
            var values = raw.Slice(r * width, width);
            result[r] = output.Task switch
            {
                "binary" => Binary(output.Classes, values[0], includeProbabilities),
                "multiclass" => Multiclass(output.Classes!, values, includeProbabilities),
                _ => new RowPrediction(Value: Significant(Finite(values[0]), 6)),
            };
        }

        return result;
    }

    private static RowPrediction Binary(IReadOnlyList<string>? classes, float p, bool includeProbabilities)
    {
        var positive = Math.Clamp((double)Finite(p), 0, 1);
        var negativeLabel = classes is { Count: 2 } ? classes[0] : "false";
        var positiveLabel = classes is { Count: 2 } ? classes[1] : "true";
        var isPositive = positive >= 0.5;
        var probabilities = includeProbabilities
            ? new Dictionary<string, double>(StringComparer.Ordinal) { [negativeLabel] = Round4(1 - positive), [positiveLabel] = Round4(positive) }
            : null;
        return new RowPrediction(isPositive ? positiveLabel : negativeLabel, Score(isPositive ? positive : 1 - positive, includeProbabilities), Probabilities: probabilities)
        {
            MonitoredScore = Round4(isPositive ? positive : 1 - positive),
        };
    }

    private static RowPrediction Multiclass(IReadOnlyList<string> classes, ReadOnlySpan<float> scores, bool includeProbabilities)
    {
        var best = 0;
        for (var c = 0; c < scores.Length; c++)
        {
            Finite(scores[c]);
            if (scores[c] > scores[best])
            {
                best = c;
            }
        }

        Dictionary<string, double>? probabilities = null;
        if (includeProbabilities)
        {
            probabilities = new Dictionary<string, double>(classes.Count, StringComparer.Ordinal);
            for (var c = 0; c < classes.Count; c++)
            {
                probabilities[classes[c]] = Round4(Math.Clamp(scores[c], 0, 1));
            }
        }

        return new RowPrediction(classes[best], Score(Math.Clamp(scores[best], 0, 1), includeProbabilities), Probabilities: probabilities)
        {
            MonitoredScore = Round4(Math.Clamp(scores[best], 0, 1)),
        };
    }

    private static double Round4(double value) => Math.Round(value, 4, MidpointRounding.ToEven);

    private static double Score(double value, bool full) => Math.Round(value, full ? 4 : 2, MidpointRounding.ToEven);

    internal static double Significant(double value, int digits) =>
        value == 0 ? 0 : double.Parse(value.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    // A NaN or infinite output means the model misbehaved; that is a server fault, never a value to return.
    private static float Finite(float value) =>
        float.IsFinite(value) ? value : throw new InvalidOperationException("The model produced a non-finite output.");
}

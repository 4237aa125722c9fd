using Bulwark.Core.Serving;

namespace Bulwark.Core.Registry;

/// <summary>The arithmetic behind the gates: scoring, accuracy (R² for regression), per-row loss, noise and attack AUC.</summary>
internal static class GateScoring
{
    private const double Epsilon = 1e-7;

    public static float[] Score(LoadedModel model, float[] features, int rows)
    {
        var output = new float[rows * model.Runtime.OutputWidth];
        model.Runtime.Predict(features, rows, output);
        return output;
    }

    /// <summary>Accuracy for classification (binary: P(positive) ≥ 0.5; multiclass: arg max), R² for regression.</summary>
    public static double Quality(FeatureSchema schema, float[] output, double[] labels)
    {
        var n = labels.Length;
        var width = output.Length / n;
        if (schema.Output.Task == "regression")
        {
            var mean = labels.Average();
            double residual = 0, total = 0;
            for (var i = 0; i < n; i++)
            {
                residual += Math.Pow(labels[i] - output[i], 2);
                total += Math.Pow(labels[i] - mean, 2);
            }

            return total == 0 ? (residual == 0 ? 1 : 0) : 1 - (residual / total);
        }

        var correct = 0;
        for (var i = 0; i < n; i++)
        {
            var predicted = width == 1 ? (output[i] >= 0.5f ? 1 : 0) : ArgMax(output.AsSpan(i * width, width));
            correct += predicted == (int)labels[i] ? 1 : 0;
        }

        return (double)correct / n;
    }

    /// <summary>Per-row loss: cross-entropy of the true class for classification, squared error for regression.</summary>
    public static double[] Losses(FeatureSchema schema, float[] output, double[] labels)
    {
        var n = labels.Length;
        var width = output.Length / n;
        var losses = new double[n];
        for (var i = 0; i < n; i++)
        {
            if (schema.Output.Task == "regression")
            {
                losses[i] = Math.Pow(labels[i] - output[i], 2);
                continue;
            }

            double p = width == 1
                ? (labels[i] == 1 ? output[i] : 1 - output[i])
                : output[(i * width) + (int)labels[i]];
            losses[i] = -Math.Log(Math.Clamp(p, Epsilon, 1));
        }

        return losses;
    }

    /// <summary>A copy of <paramref name="features"/> with each numeric feature moved uniformly within ±ε × its training deviation.</summary>
    public static float[] Perturb(FeatureSchema schema, float[] features, int rows, double epsilon, int seed)
    {
        var random = Training.SeededRandom.Create(seed);
        var noisy = (float[])features.Clone();
        var width = schema.VectorWidth;
        for (var r = 0; r < rows; r++)
        {
            var offset = 0;
            foreach (var feature in schema.Features)
            {
                if (feature.Kind != FeatureKind.Numeric)
                {
                    offset += feature.Categories!.Count;
                    continue;
                }

                var bound = epsilon * (feature.Statistics?.StdDev ?? 0);
                noisy[(r * width) + offset] += (float)(((random.NextDouble() * 2) - 1) * bound);
                offset++;
            }
        }

        return noisy;
    }

    /// <summary>
    /// AUC of the loss-threshold membership attack: the probability that a random training row has a lower loss than a
    /// random outside row (ties count half). 0.5 means the loss tells members from outsiders no better than a coin.
    /// </summary>
    public static double AttackAuc(double[] memberLoss, double[] outsiderLoss)
    {
        if (memberLoss.Length == 0 || outsiderLoss.Length == 0)
        {
            return 0.5;
        }

        // Mann–Whitney U over the pooled ranks, ties sharing their average rank.
        var pooled = memberLoss.Select(l => (Loss: l, Member: true)).Concat(outsiderLoss.Select(l => (Loss: l, Member: false)))
            .OrderByDescending(x => x.Loss).ToArray();
        double rankSum = 0;
        for (var i = 0; i < pooled.Length;)
        {
            var j = i;
            while (j < pooled.Length && pooled[j].Loss == pooled[i].Loss)
            {
                j++;
            }

            var rank = (i + 1 + j) / 2.0;
            for (var k = i; k < j; k++)
            {
                rankSum += pooled[k].Member ? rank : 0;
            }

            i = j;
        }

        double m = memberLoss.Length, o = outsiderLoss.Length;
        return (rankSum - (m * (m + 1) / 2)) / (m * o);
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            best = values[i] > values[best] ? i : best;
        }

        return best;
    }
}

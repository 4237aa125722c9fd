namespace Bulwark.Core.Monitoring;

/// <summary>
/// One numeric distribution of the training rows: a feature's values, or the model's scores on them.
/// </summary>
/// <param name="Quantiles">The 0 %, 1 %, …, 100 % quantiles (<see cref="QuantileCount"/> values, linear interpolation):
/// the reference CDF for the Kolmogorov–Smirnov test.</param>
/// <param name="BinEdges">Inner decile edges (10 %…90 % quantiles, duplicates removed): bin i holds values in
/// (edge[i−1], edge[i]], the first bin everything up to edge[0], the last everything above the last edge.</param>
/// <param name="BinProportions">Share of the training values in each bin (one more than <paramref name="BinEdges"/>); not
/// exactly 0.1 each when values repeat. The expected side of the population stability index.</param>
internal sealed record NumericProfile(
    string Name,
    int Count,
    double Min,
    double Max,
    double Mean,
    double StdDev,
    IReadOnlyList<double> Quantiles,
    IReadOnlyList<double> BinEdges,
    IReadOnlyList<double> BinProportions)
{
    public const int QuantileCount = 101;

    /// <summary>The bin of <paramref name="value"/>: how many edges lie strictly below it.</summary>
    public static int BinOf(IReadOnlyList<double> edges, double value)
    {
        int low = 0, high = edges.Count;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (edges[mid] < value)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    /// <summary>Fits the profile of <paramref name="sorted"/> (ascending, finite, at least one value).</summary>
    public static NumericProfile Fit(string name, ReadOnlySpan<double> sorted)
    {
        var n = sorted.Length;
        double sum = 0;
        foreach (var v in sorted)
        {
            sum += v;
        }

        var mean = sum / n;
        double squares = 0;
        foreach (var v in sorted)
        {
            squares += (v - mean) * (v - mean);
        }

        var quantiles = new double[QuantileCount];
        for (var k = 0; k < QuantileCount; k++)
        {
            quantiles[k] = Quantile(sorted, k / 100.0);
        }

        var edges = new List<double>(9);
        for (var k = 10; k <= 90; k += 10)
        {
            if (edges.Count == 0 || quantiles[k] > edges[^1])
            {
                edges.Add(quantiles[k]);
            }
        }

        var counts = new double[edges.Count + 1];
        foreach (var v in sorted)
        {
            counts[BinOf(edges, v)]++;
        }

        for (var b = 0; b < counts.Length; b++)
        {
            counts[b] /= n;
        }

        return new NumericProfile(name, n, sorted[0], sorted[^1], mean, n > 1 ? Math.Sqrt(squares / (n - 1)) : 0, quantiles, edges, counts);
    }

    /// <summary>Hyndman–Fan type 7 (linear interpolation between order statistics), the default of R and NumPy.</summary>
    public static double Quantile(ReadOnlySpan<double> sorted, double p)
    {
        var h = (sorted.Length - 1) * p;
        var below = (int)Math.Floor(h);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((h - below) * (sorted[above] - sorted[below]));
    }
}

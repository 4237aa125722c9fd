namespace Bulwark.Core.Monitoring;

/// <summary>Fits a <see cref="MultivariateProfile"/> and calibrates its threshold by cross-fitting.</summary>
internal static class MultivariateFitter
{
    /// <summary>
    /// Shrinkage of the correlation matrix towards the identity: enough to keep it invertible, small enough that
    /// breaking a strong correlation (a large radius with a small area) still costs a large distance.
    /// </summary>
    public const double DefaultRidge = 0.001;

    /// <summary>
    /// The share of cross-fitted training distances below the threshold: about 0.5 % of new rows from the training
    /// population are flagged by the joint check.
    /// </summary>
    public const double DefaultQuantile = 0.995;

    private const int Folds = 5;

    /// <summary>
    /// Fits the joint profile of <paramref name="names"/> over <paramref name="rows"/> rows; <paramref name="values"/> is
    /// row-major (rows × names.Count). Null when there are fewer than <see cref="MultivariateProfile.MinRows"/> rows,
    /// fewer than two features, or more than <see cref="MultivariateProfile.MaxFeatures"/>.
    /// </summary>
    public static MultivariateProfile? Fit(IReadOnlyList<string> names, double[] values, int rows, double ridge = DefaultRidge, double quantile = DefaultQuantile)
    {
        var d = names.Count;
        if (rows < MultivariateProfile.MinRows || d < 2 || d > MultivariateProfile.MaxFeatures)
        {
            return null;
        }

        var full = Moments(values, rows, d, ridge, fold: -1, fallbackScale: null);
        if (full is null)
        {
            return null;
        }

        // Each row's distance under a fit that did not see it: what a new row from the same population would score.
        var distances = new double[rows];
        var z = new double[d];
        for (var fold = 0; fold < Folds; fold++)
        {
            var fit = Moments(values, rows, d, ridge, fold, full.Value.Scale);
            if (fit is null)
            {
                return null;
            }

            for (var r = fold; r < rows; r += Folds)
            {
                distances[r] = Distance(values.AsSpan(r * d, d), fit.Value.Mean, fit.Value.Scale, fit.Value.Precision, z);
            }
        }

        Array.Sort(distances);
        var threshold = NumericProfile.Quantile(distances, quantile);
        return new MultivariateProfile([.. names], full.Value.Mean, full.Value.Scale, full.Value.Precision, ridge, threshold, quantile);
    }

    /// <summary>√(zᵀPz) with z = (x − mean) / scale; <paramref name="z"/> is scratch space of length d.</summary>
    public static double Distance(ReadOnlySpan<double> x, ReadOnlySpan<double> mean, ReadOnlySpan<double> scale, ReadOnlySpan<double> precision, Span<double> z)
    {
        for (var j = 0; j < x.Length; j++)
        {
            z[j] = (x[j] - mean[j]) / scale[j];
        }

        return Math.Sqrt(Math.Max(0, SymmetricMatrix.QuadraticForm(precision, z[..x.Length])));
    }

    /// <summary>Mean, scale and shrunk inverse correlation of the rows outside <paramref name="fold"/> (all rows for −1).</summary>
    private static (double[] Mean, double[] Scale, double[] Precision)? Moments(double[] values, int rows, int d, double ridge, int fold, double[]? fallbackScale)
    {
        var mean = new double[d];
        var count = 0;
        for (var r = 0; r < rows; r++)
        {
            if (r % Folds == fold)
            {
                continue;
            }

            count++;
            for (var j = 0; j < d; j++)
            {
                mean[j] += values[(r * d) + j];
            }
        }

        for (var j = 0; j < d; j++)
        {
            mean[j] /= count;
        }

        var scale = new double[d];
        for (var r = 0; r < rows; r++)
        {
            if (r % Folds == fold)
            {
                continue;
            }

            for (var j = 0; j < d; j++)
            {
                var delta = values[(r * d) + j] - mean[j];
                scale[j] += delta * delta;
            }
        }

        for (var j = 0; j < d; j++)
        {
            scale[j] = Math.Sqrt(scale[j] / (count - 1));
            if (!(scale[j] > 0))
            {
                // A fold can miss the few rows that make a rare value vary; the full data's spread stands in.
                if (fallbackScale is null)
                {
                    return null;
                }

                scale[j] = fallbackScale[j];
            }
        }

        var correlation = new double[d * d];
        var z = new double[d];
        for (var r = 0; r < rows; r++)
        {
            if (r % Folds == fold)
            {
                continue;
            }

            for (var j = 0; j < d; j++)
            {
                z[j] = (values[(r * d) + j] - mean[j]) / scale[j];
            }

            for (var i = 0; i < d; i++)
            {
                for (var j = i; j < d; j++)
                {
                    correlation[(i * d) + j] += z[i] * z[j];
                }
            }
        }

        for (var i = 0; i < d; i++)
        {
            for (var j = i; j < d; j++)
            {
                var shrunk = (1 - ridge) * correlation[(i * d) + j] / (count - 1);
                if (i == j)
                {
                    shrunk += ridge;
                }

                correlation[(i * d) + j] = shrunk;
                correlation[(j * d) + i] = shrunk;
            }
        }

        var precision = SymmetricMatrix.Invert(correlation, d);
        return precision is null ? null : (mean, scale, precision);
    }
}

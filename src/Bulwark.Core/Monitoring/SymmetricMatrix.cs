namespace Bulwark.Core.Monitoring;

/// <summary>The little linear algebra the joint profile needs, on row-major d×d arrays.</summary>
internal static class SymmetricMatrix
{
    /// <summary>
    /// The inverse of a symmetric positive-definite matrix through its Cholesky factor A = L·Lᵀ (A⁻¹ = L⁻ᵀ·L⁻¹);
    /// null when A is not positive definite (which shrinkage towards the identity rules out).
    /// </summary>
    public static double[]? Invert(ReadOnlySpan<double> a, int d)
    {
        var l = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = a[(i * d) + j];
                for (var k = 0; k < j; k++)
                {
                    sum -= l[(i * d) + k] * l[(j * d) + k];
                }

                if (i == j)
                {
                    if (!(sum > 0))
                    {
                        return null;
                    }

                    l[(i * d) + i] = Math.Sqrt(sum);
                }
                else
                {
                    l[(i * d) + j] = sum / l[(j * d) + j];
                }
            }
        }

        // L⁻¹ by forward substitution, column by column.
        var inverseL = new double[d * d];
        for (var c = 0; c < d; c++)
        {
            for (var i = c; i < d; i++)
            {
                var sum = i == c ? 1.0 : 0.0;
                for (var k = c; k < i; k++)
                {
                    sum -= l[(i * d) + k] * inverseL[(k * d) + c];
                }

                inverseL[(i * d) + c] = sum / l[(i * d) + i];
            }
        }

        var inverse = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                double sum = 0;
                for (var k = i; k < d; k++)
                {
                    sum += inverseL[(k * d) + i] * inverseL[(k * d) + j];
                }

                inverse[(i * d) + j] = sum;
                inverse[(j * d) + i] = sum;
            }
        }

        return inverse;
    }

    /// <summary>zᵀ·P·z for symmetric P (row-major d×d), in d²/2 multiply-adds.</summary>
    public static double QuadraticForm(ReadOnlySpan<double> p, ReadOnlySpan<double> z)
    {
        var d = z.Length;
        double total = 0;
        for (var i = 0; i < d; i++)
        {
            var row = p.Slice(i * d, d);
            var cross = 0.0;
            for (var j = i + 1; j < d; j++)
            {
                cross += row[j] * z[j];
            }

            total += z[i] * ((row[i] * z[i]) + (2 * cross));
        }

        return total;
    }
}

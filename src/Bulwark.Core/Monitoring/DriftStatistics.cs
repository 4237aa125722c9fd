namespace Bulwark.Core.Monitoring;

/// <summary>
/// Pure drift statistics of live values against a <see cref="ReferenceProfile"/>: population stability index,
/// Kolmogorov–Smirnov and chi-square. No state, no I/O; <see cref="DriftDetector"/> applies them to a whole sample.
/// </summary>
internal static class DriftStatistics
{
    /// <summary>
    /// The smallest share a bin counts with in PSI: an empty bin would make ln(a/e) infinite. 10⁻⁴ is the usual choice; it
    /// caps one empty bin's contribution at about 0.1 × ln(1000) ≈ 0.7 (already an alert).
    /// </summary>
    public const double PsiFloor = 1e-4;

    /// <summary>
    /// PSI = Σ (aᵢ − eᵢ) · ln(aᵢ / eᵢ) over the reference decile bins, eᵢ the training share of bin i and aᵢ the live
    /// share (both floored at <see cref="PsiFloor"/>). 0 for identical distributions; symmetric in the two samples.
    /// </summary>
    public static double PopulationStabilityIndex(NumericProfile reference, ReadOnlySpan<double> live)
    {
        if (live.IsEmpty)
        {
            return 0;
        }

        Span<double> counts = stackalloc double[reference.BinProportions.Count];
        foreach (var value in live)
        {
            counts[NumericProfile.BinOf(reference.BinEdges, value)]++;
        }

        return PopulationStabilityIndex(reference.BinProportions, counts);
    }

    /// <summary>PSI of live bin <paramref name="counts"/> against <paramref name="expected"/> shares of the same bins.</summary>
    public static double PopulationStabilityIndex(IReadOnlyList<double> expected, ReadOnlySpan<double> counts)
    {
        double total = 0;
        foreach (var c in counts)
        {
            total += c;
        }

        if (total == 0)
        {
            return 0;
        }

        double psi = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            var e = Math.Max(expected[i], PsiFloor);
            var a = Math.Max(counts[i] / total, PsiFloor);
            psi += (a - e) * Math.Log(a / e);
        }

        return psi;
    }

    /// <summary>
    /// Kolmogorov–Smirnov of live values against the reference CDF (linear between the 101 stored quantiles, so accurate
    /// to about 1 %). The reference is itself a sample of <see cref="NumericProfile.Count"/> rows, so the p-value uses the
    /// two-sample effective size m·n / (m + n).
    /// </summary>
    public static KolmogorovSmirnovResult KolmogorovSmirnov(NumericProfile reference, ReadOnlySpan<double> live)
    {
        var m = live.Length;
        if (m == 0)
        {
            return new KolmogorovSmirnovResult(0, 1);
        }

        var sorted = live.ToArray();
        Array.Sort(sorted);
        double d = 0;
        for (var i = 0; i < m;)
        {
            // Equal live values form one step of the live ECDF: from i/m just below the value to j/m at it.
            var j = i + 1;
            while (j < m && sorted[j] == sorted[i])
            {
                j++;
            }

            var (below, at) = ReferenceCdf(reference.Quantiles, sorted[i]);
            d = Math.Max(d, Math.Max(Math.Abs(((double)j / m) - at), Math.Abs(((double)i / m) - below)));
            i = j;
        }

        var n = (double)reference.Count;
        return new KolmogorovSmirnovResult(d, KolmogorovPValue(d, m * n / (m + n)));
    }

    /// <summary>
    /// Pearson's chi-square test of homogeneity on the 2 × k table of training and live counts per category: did the live
    /// values come from the same category frequencies? Categories absent from both samples are left out.
    /// </summary>
    public static ChiSquareResult ChiSquare(CategoricalProfile reference, IReadOnlyDictionary<string, int> live)
    {
        var categories = reference.Counts.Keys.Concat(live.Keys.Where(k => !reference.Counts.ContainsKey(k))).ToList();
        double referenceTotal = reference.Counts.Values.Sum(), liveTotal = live.Values.Sum();
        if (referenceTotal == 0 || liveTotal == 0)
        {
            return new ChiSquareResult(0, 0, 1);
        }

        var total = referenceTotal + liveTotal;
        double statistic = 0;
        var used = 0;
        foreach (var category in categories)
        {
            double observedReference = reference.Counts.GetValueOrDefault(category), observedLive = live.GetValueOrDefault(category);
            var column = observedReference + observedLive;
            if (column == 0)
            {
                continue;
            }

            used++;
            var expectedReference = column * referenceTotal / total;
            var expectedLive = column * liveTotal / total;
            statistic += (Math.Pow(observedReference - expectedReference, 2) / expectedReference) + (Math.Pow(observedLive - expectedLive, 2) / expectedLive);
        }

        var dof = used - 1;
        return dof < 1 ? new ChiSquareResult(0, 0, 1) : new ChiSquareResult(statistic, dof, ChiSquarePValue(statistic, dof));
    }

    /// <summary>
    /// P(D ≥ d) for effective sample size n, by the Kolmogorov distribution with Stephens' small-sample correction
    /// λ = (√n + 0.12 + 0.11/√n)·d (Numerical Recipes §14.3.3): Q(λ) = 2 Σ (−1)^(k−1) e^(−2k²λ²).
    /// </summary>
    public static double KolmogorovPValue(double d, double n)
    {
        var root = Math.Sqrt(n);
        var lambda = (root + 0.12 + (0.11 / root)) * d;
        if (lambda < 0.2)
        {
            return 1;
        }

        double sum = 0, sign = 2, previous = 0;
        for (var k = 1; k <= 100; k++)
        {
            var term = sign * Math.Exp(-2 * k * k * lambda * lambda);
            sum += term;
            if (Math.Abs(term) <= 1e-3 * previous || Math.Abs(term) <= 1e-10 * sum)
            {
                return Math.Clamp(sum, 0, 1);
            }

            sign = -sign;
            previous = Math.Abs(term);
        }

        return 1;
    }

    /// <summary>P(χ² ≥ statistic) with <paramref name="dof"/> degrees of freedom: the regularised upper incomplete gamma Q(k/2, x/2).</summary>
    public static double ChiSquarePValue(double statistic, int dof) =>
        statistic <= 0 ? 1 : SpecialFunctions.UpperRegularizedGamma(dof / 2.0, statistic / 2);

    /// <summary>The reference CDF just below <paramref name="x"/> and at it (they differ where quantiles repeat: a jump).</summary>
    internal static (double Below, double At) ReferenceCdf(IReadOnlyList<double> quantiles, double x)
    {
        return (Cdf(quantiles, x, strict: true), Cdf(quantiles, x, strict: false));

        static double Cdf(IReadOnlyList<double> q, double x, bool strict)
        {
            var last = q.Count - 1;
            // k: the last quantile below x (strict) or at or below x.
            int low = 0, high = last + 1;
            while (low < high)
            {
                var mid = (low + high) >>> 1;
                if (strict ? q[mid] < x : q[mid] <= x)
                {
                    low = mid + 1;
                }
                else
                {
                    high = mid;
                }
            }

            var k = low - 1;
            if (k < 0)
            {
                return 0;
            }

            if (k >= last)
            {
                return 1;
            }

            var step = 1.0 / last;
            return q[k + 1] > q[k] ? (k * step) + (step * (x - q[k]) / (q[k + 1] - q[k])) : (k + 1) * step;
        }
    }
}

namespace Bulwark.Core.Monitoring;

/// <summary>The gamma-function pieces behind chi-square p-values (Numerical Recipes, 3rd ed., §6.1–6.2).</summary>
internal static class SpecialFunctions
{
    private const double Epsilon = 1e-15;
    private const double Tiny = 1e-300;

    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos approximation, g = 7; relative error ~1e-15).</summary>
    public static double LogGamma(double x)
    {
        if (x < 0.5)
        {
            // Reflection: Γ(x)Γ(1 − x) = π / sin(πx).
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        x -= 1;
        var sum = Lanczos[0];
        for (var i = 1; i < Lanczos.Length; i++)
        {
            sum += Lanczos[i] / (x + i);
        }

        var t = x + 7.5;
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(sum);
    }

    /// <summary>Q(a, x) = Γ(a, x) / Γ(a): a series below x = a + 1, a continued fraction (modified Lentz) above.</summary>
    public static double UpperRegularizedGamma(double a, double x)
    {
        if (x <= 0)
        {
            return 1;
        }

        var prefix = Math.Exp(-x + (a * Math.Log(x)) - LogGamma(a));
        if (x < a + 1)
        {
            double term = 1 / a, sum = term, ap = a;
            for (var n = 0; n < 1000 && Math.Abs(term) > Math.Abs(sum) * Epsilon; n++)
            {
                ap += 1;
                term *= x / ap;
                sum += term;
            }

            return Math.Clamp(1 - (sum * prefix), 0, 1);
        }

        double b = x + 1 - a, c = 1 / Tiny, d = 1 / b, h = d;
        for (var i = 1; i < 1000; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = b + (an / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < Epsilon)
            {
                break;
            }
        }

        return Math.Clamp(prefix * h, 0, 1);
    }
}

using Bulwark.Core.Serving;

namespace Bulwark.Core.Monitoring;

/// <summary>
/// Checks a reference profile against the version's signed feature schema before the serving guard indexes into it.
/// The profile is signed too, so a mismatch means a bug or an unknown format, not an attack; it is still refused
/// rather than served with a guard that would misread rows.
/// </summary>
internal static class ReferenceProfileValidator
{
    public static string? Check(ReferenceProfile profile, FeatureSchema schema)
    {
        if (profile.FormatVersion != ReferenceProfile.CurrentFormat)
        {
            return $"Reference profile format {profile.FormatVersion} is not supported.";
        }

        if (profile.Numeric is null || profile.Categorical is null || profile.Rows < 1)
        {
            return "The reference profile is incomplete.";
        }

        foreach (var numeric in profile.Numeric)
        {
            var problem = numeric is null ? "missing"
                : Kind(schema, numeric.Name) != FeatureKind.Numeric ? "not a numeric feature of the schema"
                : Check(numeric);
            if (problem is not null)
            {
                return $"The reference profile of feature '{numeric?.Name}' is invalid: {problem}.";
            }
        }

        foreach (var categorical in profile.Categorical)
        {
            if (Kind(schema, categorical?.Name) != FeatureKind.Categorical || categorical!.Counts is null || categorical.Counts.Values.Any(c => c < 0))
            {
                return $"The reference profile of feature '{categorical?.Name}' does not match the schema.";
            }
        }

        if (profile.Multivariate is { } joint && Check(joint, profile, schema) is { } jointProblem)
        {
            return "The joint reference profile is invalid: " + jointProblem;
        }

        var predictions = profile.Predictions is not { } p ? null
            : p.Scores is null || p.Task is null ? "incomplete"
            : Check(p.Scores);
        return predictions is null ? null : "The prediction reference profile is invalid: " + predictions;
    }

    private static FeatureKind? Kind(FeatureSchema schema, string? name) => schema.Features.FirstOrDefault(f => f.Name == name)?.Kind;

    private static string? Check(NumericProfile p)
    {
        if (p.Quantiles is not { Count: NumericProfile.QuantileCount } || p.BinEdges is null || p.BinProportions is null
            || p.BinProportions.Count != p.BinEdges.Count + 1)
        {
            return "wrong shape";
        }

        if (!Finite(p.Min, p.Max, p.Mean, p.StdDev) || p.Min > p.Max || p.StdDev < 0 || p.Count < 1
            || p.Quantiles.Concat(p.BinEdges).Concat(p.BinProportions).Any(v => !double.IsFinite(v)))
        {
            return "non-finite or inconsistent values";
        }

        for (var i = 1; i < p.Quantiles.Count; i++)
        {
            if (p.Quantiles[i] < p.Quantiles[i - 1])
            {
                return "quantiles out of order";
            }
        }

        for (var i = 1; i < p.BinEdges.Count; i++)
        {
            if (p.BinEdges[i] <= p.BinEdges[i - 1])
            {
                return "bin edges out of order";
            }
        }

        return null;
    }

    private static string? Check(MultivariateProfile joint, ReferenceProfile profile, FeatureSchema schema)
    {
        var d = joint.Features?.Count ?? 0;
        if (d is < 2 or > MultivariateProfile.MaxFeatures || joint.Mean?.Count != d || joint.Scale?.Count != d || joint.Precision?.Count != d * d)
        {
            return "wrong shape";
        }

        if (joint.Features!.Distinct(StringComparer.Ordinal).Count() != d || joint.Features!.Any(f => Kind(schema, f) != FeatureKind.Numeric))
        {
            return "features do not match the schema";
        }

        if (!(joint.Threshold > 0) || !double.IsFinite(joint.Threshold) || joint.Scale!.Any(s => !(s > 0) || !double.IsFinite(s))
            || joint.Mean!.Concat(joint.Precision!).Any(v => !double.IsFinite(v)))
        {
            return "non-finite or non-positive values";
        }

        return profile.Rows < MultivariateProfile.MinRows ? "too few rows" : null;
    }

    private static bool Finite(params ReadOnlySpan<double> values)
    {
        foreach (var v in values)
        {
            if (!double.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }
}

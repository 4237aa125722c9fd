using Bulwark.Core.Monitoring;

namespace Bulwark.Core.Serving;

/// <summary>
/// Flags prediction rows unlike the training data, after schema validation and before the runtime: a numeric feature
/// outside the training range widened by <see cref="ServingOptions.OodRangeMargin"/> of its span on each side, or numeric features whose
/// combination is too far from the training rows (Mahalanobis distance above the profile's calibrated threshold). A
/// model answers such rows with confidence it has not earned (OWASP ML Top 10 ML01 input manipulation; a data-quality
/// or upstream-pipeline fault looks the same), so callers and operators should know.
/// </summary>
/// <remarks>
/// Built once per loaded version from its signed <see cref="ReferenceProfile"/>; <see cref="Check"/> is allocation-free
/// unless something is flagged and costs O(d²) per row for d joint features (at most
/// <see cref="MultivariateProfile.MaxFeatures"/>). Schema validation, which runs first, already refuses values beyond
/// the much wider schema bounds (the span again on each side).
/// </remarks>
internal sealed class OutOfDistributionGuard
{
    public const int MaxNamedFeatures = 3;

    private readonly string[] _names;
    private readonly int[] _bounded;
    private readonly double[] _low;
    private readonly double[] _high;
    private readonly int[] _joint;
    private readonly double[] _mean;
    private readonly double[] _scale;
    private readonly double[] _precision;
    private readonly double _thresholdSquared;

    private OutOfDistributionGuard(ReferenceProfile profile, FeatureSchema schema, double rangeMargin)
    {
        _names = [.. schema.Features.Select(f => f.Name)];
        var bounded = new List<int>();
        var low = new List<double>();
        var high = new List<double>();
        foreach (var numeric in profile.Numeric)
        {
            bounded.Add(IndexOf(numeric.Name));
            var span = numeric.Max - numeric.Min;
            if (span == 0)
            {
                span = Math.Max(Math.Abs(numeric.Max), 1);
            }

            low.Add(numeric.Min - (rangeMargin * span));
            high.Add(numeric.Max + (rangeMargin * span));
        }

        (_bounded, _low, _high) = ([.. bounded], [.. low], [.. high]);
        if (profile.Multivariate is { } joint)
        {
            _joint = [.. joint.Features.Select(IndexOf)];
            (_mean, _scale, _precision) = ([.. joint.Mean], [.. joint.Scale], [.. joint.Precision]);
            _thresholdSquared = joint.Threshold * joint.Threshold;
        }
        else
        {
            (_joint, _mean, _scale, _precision) = ([], [], [], []);
        }
    }

    /// <summary>The guard for a validated profile (<see cref="ReferenceProfile.Read"/> checked it matches <paramref name="schema"/>).</summary>
    /// <param name="rangeMargin">How far beyond the training min/max a value may go, as a fraction of the training span.</param>
    public static OutOfDistributionGuard Create(ReferenceProfile profile, FeatureSchema schema, double rangeMargin = ServingOptions.DefaultOodRangeMargin) =>
        new(profile, schema, rangeMargin);

    /// <summary>Checks every row; null when none is flagged.</summary>
    public OutOfDistributionFinding? Check(ParsedBatch batch)
    {
        Span<double> z = stackalloc double[_joint.Length];
        var flagged = 0;
        var first = -1;
        var firstJoint = false;
        for (var r = 0; r < batch.Rows; r++)
        {
            var row = batch.NumericRow(r);
            var outOfRange = false;
            for (var k = 0; k < _bounded.Length; k++)
            {
                var value = row[_bounded[k]];
                if (value < _low[k] || value > _high[k])
                {
                    outOfRange = true;
                    break;
                }
            }

            if (outOfRange || (_joint.Length > 0 && DistanceSquared(row, z) > _thresholdSquared))
            {
                flagged++;
                if (first < 0)
                {
                    (first, firstJoint) = (r, !outOfRange);
                }
            }
        }

        if (flagged == 0)
        {
            return null;
        }

        var firstRow = batch.NumericRow(first);
        return new OutOfDistributionFinding(flagged, first, firstJoint, firstJoint ? TopContributors(firstRow, z) : OutOfRange(firstRow));
    }

    private int IndexOf(string name) => Array.IndexOf(_names, name);

    private double DistanceSquared(ReadOnlySpan<double> row, Span<double> z)
    {
        for (var j = 0; j < _joint.Length; j++)
        {
            z[j] = (row[_joint[j]] - _mean[j]) / _scale[j];
        }

        return SymmetricMatrix.QuadraticForm(_precision, z);
    }

    private string[] OutOfRange(ReadOnlySpan<double> row)
    {
        var names = new List<string>(MaxNamedFeatures);
        for (var k = 0; k < _bounded.Length && names.Count < MaxNamedFeatures; k++)
        {
            var value = row[_bounded[k]];
            if (value < _low[k] || value > _high[k])
            {
                names.Add(_names[_bounded[k]]);
            }
        }

        return [.. names];
    }

    /// <summary>The features with the largest share zᵢ·(Pz)ᵢ of the squared distance (the shares sum to it).</summary>
    private string[] TopContributors(ReadOnlySpan<double> row, Span<double> z)
    {
        DistanceSquared(row, z);
        var d = _joint.Length;
        var shares = new (double Share, int Index)[d];
        for (var i = 0; i < d; i++)
        {
            double pz = 0;
            for (var j = 0; j < d; j++)
            {
                pz += _precision[(i * d) + j] * z[j];
            }

            shares[i] = (z[i] * pz, i);
        }

        return [.. shares.OrderByDescending(s => s.Share).Take(MaxNamedFeatures).Select(s => _names[_joint[s.Index]])];
    }
}

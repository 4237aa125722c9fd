using Bulwark.Core.Registry;
using Bulwark.Core.Serving;

namespace Bulwark.Core.Tests.Registry;

public sealed class GateScoringTests
{
    private static readonly FeatureSchema Binary = new(
        [new FeatureSpec("x", FeatureKind.Numeric, Statistics: new FeatureStatistics(0, 10, 5, 2, 100)), new FeatureSpec("c", FeatureKind.Categorical, Categories: ["a", "b"])],
        new OutputSpec("binary", ["no", "yes"]));

    [Fact]
    public void AttackAuc_MembersWithLowerLoss_IsOne_SameLosses_IsHalf_Reversed_IsZero()
    {
        Assert.Equal(1.0, GateScoring.AttackAuc([0.1, 0.2, 0.3], [0.5, 0.6]), 10);
        Assert.Equal(0.5, GateScoring.AttackAuc([0.4, 0.4], [0.4, 0.4, 0.4]), 10);
        Assert.Equal(0.0, GateScoring.AttackAuc([0.9, 1.0], [0.1]), 10);

        // Hand-checked Mann–Whitney: member < outsider in (0.1,0.3) (0.1,0.5) (0.4,0.5) (0.3,0.5), tie (0.3,0.3) counts half: 4.5 of 6.
        Assert.Equal(4.5 / 6, GateScoring.AttackAuc([0.1, 0.4, 0.3], [0.3, 0.5]), 10);
    }

    [Fact]
    public void Quality_Binary_IsAccuracyAtHalf_Regression_IsR2()
    {
        Assert.Equal(0.75, GateScoring.Quality(Binary, [0.9f, 0.2f, 0.6f, 0.4f], [1, 0, 0, 0]));
        var regression = Binary with { Output = new OutputSpec("regression") };
        Assert.Equal(1.0, GateScoring.Quality(regression, [1f, 2f, 3f], [1, 2, 3]), 6);
        Assert.True(GateScoring.Quality(regression, [3f, 2f, 1f], [1, 2, 3]) < 0);
    }

    [Fact]
    public void Losses_AreCrossEntropyOfTheTrueClass_Clipped()
    {
        var losses = GateScoring.Losses(Binary, [0.9f, 0.9f, 0f], [1, 0, 1]);
        Assert.Equal(-Math.Log(0.9), losses[0], 4);
        Assert.Equal(-Math.Log(0.1), losses[1], 4);
        Assert.True(double.IsFinite(losses[2]) && losses[2] > 10);
    }

    [Fact]
    public void Perturb_MovesNumericFeaturesWithinEpsilonSigma_AndLeavesOneHotAlone()
    {
        // Row layout: x, c=a, c=b.
        float[] rows = [5, 1, 0, 7, 0, 1];
        var noisy = GateScoring.Perturb(Binary, rows, 2, epsilon: 0.5, seed: 1);
        Assert.InRange(noisy[0], 5 - 1.0001f, 5 + 1.0001f);
        Assert.InRange(noisy[3], 7 - 1.0001f, 7 + 1.0001f);
        Assert.NotEqual(rows[0], noisy[0]);
        Assert.Equal([1f, 0f, 0f, 1f], [noisy[1], noisy[2], noisy[4], noisy[5]]);
        Assert.Equal(noisy, GateScoring.Perturb(Binary, rows, 2, epsilon: 0.5, seed: 1));
    }
}

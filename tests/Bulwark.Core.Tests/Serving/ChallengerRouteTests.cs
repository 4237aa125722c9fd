using System.Buffers.Binary;
using Bulwark.Core.Serving;

namespace Bulwark.Core.Tests.Serving;

public sealed class ChallengerRouteTests
{
    private static Guid Id(int i)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(bytes, i);
        return new Guid(bytes);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.3)]
    [InlineData(0.5)]
    public void TakesChallenger_OverFixedIds_RoutesRoughlyTheShare(double share)
    {
        var taken = Enumerable.Range(0, 10_000).Count(i => ChallengerRoute.TakesChallenger(Id(i), share));
        Assert.InRange(taken, (int)(10_000 * (share - 0.03)), (int)(10_000 * (share + 0.03)));
    }

    [Fact]
    public void TakesChallenger_SameId_SameAnswer_AndZeroShareNeverRoutes()
    {
        for (var i = 0; i < 1_000; i++)
        {
            Assert.Equal(ChallengerRoute.TakesChallenger(Id(i), 0.3), ChallengerRoute.TakesChallenger(Id(i), 0.3));
            Assert.False(ChallengerRoute.TakesChallenger(Id(i), 0));
            Assert.False(ChallengerRoute.TakesChallenger(Id(i), double.NaN));
        }
    }

    [Fact]
    public void TakesChallenger_ALargerShare_KeepsEveryRequestTheSmallerOneTook()
    {
        // Raising the share only adds requests to the challenger; none switch back (a stable ramp-up).
        Assert.All(Enumerable.Range(0, 2_000).Where(i => ChallengerRoute.TakesChallenger(Id(i), 0.1)), i => Assert.True(ChallengerRoute.TakesChallenger(Id(i), 0.4)));
    }

    [Fact]
    public void Score_Classification_AccuracyAndMacroF1_Regression_RmseAndMae()
    {
        var classes = ChallengerComparer.Score(2, [("a", "a"), ("a", "b"), ("b", "b"), ("b", "b")], regression: false);
        Assert.Equal((4, 0.75), (classes.Labels, classes.Accuracy!.Value));
        Assert.Equal(Math.Round(((2.0 / 3) + 0.8) / 2, 6), classes.F1);

        var values = ChallengerComparer.Score(3, [("1", "2"), ("3", "3"), ("5", "2")], regression: true);
        Assert.Equal(Math.Round(Math.Sqrt(10.0 / 3), 6), values.Rmse);
        Assert.Equal(Math.Round(4.0 / 3, 6), values.Mae);
    }
}

using Bulwark.Core.Serving;

namespace Bulwark.Core.Tests.Serving;

public sealed class OutputHardenerTests
{
    [Fact]
    public void Harden_Binary_ThresholdAtHalfAndScoreOfChosenLabel()
    {
        var output = new OutputSpec("binary", ["no", "yes"]);

        var result = OutputHardener.Harden(output, [0.5f, 0.123456f, 0.99999f], 3, 1, includeProbabilities: false);

        Assert.Equal(["yes", "no", "yes"], result.Select(r => r.Label));
        Assert.Equal([0.5, 0.88, 1.0], result.Select(r => r.Score!.Value));
        Assert.All(result, r => Assert.Null(r.Probabilities));
    }

    [Fact]
    public void Harden_Binary_FullOutput_FourDecimalsAndBothProbabilities()
    {
        var output = new OutputSpec("binary", ["no", "yes"]);

        var result = OutputHardener.Harden(output, [0.123456f], 1, 1, includeProbabilities: true);

        Assert.Equal(0.8765, result[0].Score!.Value);
        Assert.Equal(0.1235, result[0].Probabilities!["yes"]);
    }

    [Fact]
    public void Harden_Multiclass_ArgmaxAndRoundedProbabilitiesOnRequest()
    {
        var output = new OutputSpec("multiclass", ["a", "b", "c"]);

        var result = OutputHardener.Harden(output, [0.1f, 0.7f, 0.2f, 0.6f, 0.3f, 0.1f], 2, 3, includeProbabilities: true);

        Assert.Equal(["b", "a"], result.Select(r => r.Label));
        Assert.Equal(0.7, result[0].Score!.Value, 4);
        Assert.Equal(0.2, result[0].Probabilities!["c"], 4);
    }

    [Fact]
    public void Harden_Regression_SixSignificantDigits()
    {
        var result = OutputHardener.Harden(new OutputSpec("regression"), [123.456789f, -0.000123456789f, 0f], 3, 1, includeProbabilities: true);

        Assert.Equal(123.457, result[0].Value);
        Assert.Equal(-0.000123457, result[1].Value);
        Assert.Equal(0, result[2].Value);
        Assert.All(result, r => Assert.Null(r.Label));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Harden_NonFiniteModelOutput_Throws(float value)
    {
        Assert.Throws<InvalidOperationException>(() => OutputHardener.Harden(new OutputSpec("binary", ["n", "p"]), [value], 1, 1, false));
    }

    [Fact]
    public void OnnxRuntime_BinaryTwoColumnOutput_ReadsPositiveColumn()
    {
        // Hand-built graph: Y = Identity(X) with X, Y float [N, 2] read as [P(neg), P(pos)].
        var graph = Registry.OnnxTestBuilder.Message(o =>
        {
            o.WriteTag(1, Google.Protobuf.WireFormat.WireType.LengthDelimited);
            o.WriteBytes(Google.Protobuf.ByteString.CopyFrom(Registry.OnnxTestBuilder.Node("Identity", "", "X", "Y")));
            Registry.OnnxTestBuilder.Text(o, 2, "g");
            Registry.OnnxTestBuilder.Bytes(o, 11, Registry.OnnxTestBuilder.ValueInfo("X", 1, "N", 2));
            Registry.OnnxTestBuilder.Bytes(o, 12, Registry.OnnxTestBuilder.ValueInfo("Y", 1, "N", 2));
        });
        var schema = new FeatureSchema(
            [new FeatureSpec("p0", FeatureKind.Numeric), new FeatureSpec("p1", FeatureKind.Numeric)],
            new OutputSpec("binary", ["n", "p"], "X", "Y"));
        using var runtime = new OnnxModelRuntime(Registry.OnnxTestBuilder.Model(graph), schema);
        var output = new float[2];

        runtime.Predict([0.9f, 0.1f, 0.2f, 0.8f], 2, output);

        Assert.Equal([0.1f, 0.8f], output);
    }
}

using Bulwark.Core.Registry;

namespace Bulwark.Core.Tests.Registry;

public sealed class OnnxInspectorTests
{
    private static readonly RegistryOptions Options = new();

    [Fact]
    public void Inspect_ExportedMlNetModel_ReportsInputsAndOutputs()
    {
        var result = OnnxInspector.Inspect(RegistryTestModels.NumericOnnx, Options);

        Assert.True(result.Succeeded, result.Failure?.Detail);
        var input = Assert.Single(result.Value.Inputs);
        Assert.Equal("Features", input.Name);
        Assert.True(input.IsFloatTensor);
        Assert.Equal(4, input.Shape![1].Value);
        Assert.Contains(result.Value.Outputs, o => o.Name == "Probability.output");
    }

    [Fact]
    public void Inspect_HandBuiltIdentityModel_Accepted()
    {
        var result = OnnxInspector.Inspect(OnnxTestBuilder.IdentityModel(), Options);
        Assert.True(result.Succeeded, result.Failure?.Detail);
        Assert.Equal("N", result.Value.Inputs[0].Shape![0].Param);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Inspect_ExternalDataInitializer_Rejected(bool locationOnly)
    {
        var model = OnnxTestBuilder.Model(OnnxTestBuilder.Graph([OnnxTestBuilder.Node("Identity", "", "X", "Y")], [OnnxTestBuilder.Tensor("W", external: true, locationOnly)]));

        var result = OnnxInspector.Inspect(model, Options);

        Assert.False(result.Succeeded);
        Assert.Equal(RegistryErrors.OnnxInvalid, result.Failure.Code);
        Assert.Equal(422, result.Failure.Status);
        Assert.Contains("external data", result.Failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_ExternalDataInConstantAttribute_Rejected()
    {
        // AttributeProto{name=1, t=5}: a Constant node's value can point at a file just like an initializer.
        var attribute = OnnxTestBuilder.Message(o =>
        {
            o.Text(1, "value");
            o.Bytes(5, OnnxTestBuilder.Tensor("C", external: true));
        });
        var model = OnnxTestBuilder.Model(OnnxTestBuilder.Graph([OnnxTestBuilder.Node("Constant", "", "X", "Y", attribute)]));

        Assert.Equal(RegistryErrors.OnnxInvalid, OnnxInspector.Inspect(model, Options).Failure?.Code);
    }

    [Theory]
    [InlineData("com.evil.custom")]
    [InlineData("com.microsoft")]
    public void Inspect_CustomDomainOperator_Rejected(string domain)
    {
        var model = OnnxTestBuilder.Model(OnnxTestBuilder.Graph([OnnxTestBuilder.Node("Exec", domain, "X", "Y")]), domain);

        var result = OnnxInspector.Inspect(model, Options);

        Assert.Equal(RegistryErrors.OnnxInvalid, result.Failure?.Code);
        Assert.Contains(domain, result.Failure!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_CustomOpInSubgraph_Rejected()
    {
        // AttributeProto{name=1, g=6}: an If/Loop body is a graph of its own.
        var body = OnnxTestBuilder.Graph([OnnxTestBuilder.Node("Exec", "com.evil", "X", "Y")], io: false);
        var attribute = OnnxTestBuilder.Message(o =>
        {
            o.Text(1, "then_branch");
            o.Bytes(6, body);
        });
        var model = OnnxTestBuilder.Model(OnnxTestBuilder.Graph([OnnxTestBuilder.Node("If", "", "X", "Y", attribute)]));

        var result = OnnxInspector.Inspect(model, Options);

        // The subgraph is read (and its custom op refused) before the If node itself is judged.
        Assert.Equal(RegistryErrors.OnnxInvalid, result.Failure?.Code);
        Assert.Contains("com.evil", result.Failure!.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Loop", "", "body")]
    [InlineData("Scan", "", "body")]
    [InlineData("If", "", "then_branch")]
    [InlineData("Loop", "ai.onnx", "body")]
    public void Inspect_ControlFlowOperator_Rejected(string op, string domain, string attributeName)
    {
        // A harmless body (Identity): only the control-flow node itself can cause the refusal.
        var body = OnnxTestBuilder.Graph([OnnxTestBuilder.Node("Identity", "", "X", "Y")], io: false);
        var attribute = OnnxTestBuilder.Message(o =>
        {
            o.Text(1, attributeName);
            o.Bytes(6, body);
        });
        var model = OnnxTestBuilder.Model(OnnxTestBuilder.Graph([OnnxTestBuilder.Node(op, domain, "X", "Y", attribute)]));

        var result = OnnxInspector.Inspect(model, Options);

        Assert.Equal(RegistryErrors.OnnxInvalid, result.Failure?.Code);
        Assert.Equal(422, result.Failure!.Status);
        Assert.Contains($"'{op}'", result.Failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_TopLevelLoopWithoutBody_Rejected()
    {
        var model = OnnxTestBuilder.Model(OnnxTestBuilder.Graph([OnnxTestBuilder.Node("Loop", "", "X", "Y")]));

        Assert.Contains("'Loop'", OnnxInspector.Inspect(model, Options).Failure?.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_ExportedModelWithAppendedGraphChunk_InspectsTheMergedGraph()
    {
        // Appending a second field-7 chunk to a valid export: protobuf parsers merge it into the graph.
        var chunk = OnnxTestBuilder.Message(o => o.Bytes(7, OnnxTestBuilder.Graph([OnnxTestBuilder.Node("Exec", "com.evil", "Features", "Z")], io: false)));
        byte[] mutated = [.. RegistryTestModels.NumericOnnx, .. chunk];

        var result = OnnxInspector.Inspect(mutated, Options);

        Assert.Equal(RegistryErrors.OnnxInvalid, result.Failure?.Code);
        Assert.True(OnnxInspector.Inspect(RegistryTestModels.NumericOnnx, Options).Succeeded);
    }

    [Fact]
    public void Inspect_TooManyNodes_Rejected()
    {
        var nodes = Enumerable.Range(0, 11).Select(i => OnnxTestBuilder.Node("Identity", "", "X", "Y"));
        var model = OnnxTestBuilder.Model(OnnxTestBuilder.Graph(nodes));

        Assert.Equal(RegistryErrors.OnnxInvalid, OnnxInspector.Inspect(model, new RegistryOptions { MaxOnnxNodes = 10 }).Failure?.Code);
    }

    [Fact]
    public void Inspect_InitializersOverLimit_Rejected()
    {
        var model = OnnxTestBuilder.Model(OnnxTestBuilder.Graph([OnnxTestBuilder.Node("Identity", "", "X", "Y")], [OnnxTestBuilder.Tensor("W", false)]));
        Assert.Equal(RegistryErrors.OnnxInvalid, OnnxInspector.Inspect(model, new RegistryOptions { MaxInitializerBytes = 8 }).Failure?.Code);
    }

    [Fact]
    public void Inspect_FileOverSizeCap_Rejected413()
    {
        var result = OnnxInspector.Inspect(RegistryTestModels.NumericOnnx, new RegistryOptions { MaxModelBytes = 1024 });
        Assert.Equal(413, result.Failure?.Status);
    }

    [Theory]
    [InlineData(new byte[] { 0x08 })]
    [InlineData(new byte[] { 0x08, 0x08, 0x3a, 0x05, 0x01 })]
    [InlineData(new byte[] { 0xff, 0xff, 0xff })]
    [InlineData(new byte[] { 0x08, 0x08 })]
    public void Inspect_TruncatedOrGraphless_Rejected(byte[] bytes)
    {
        var result = OnnxInspector.Inspect(bytes, Options);
        Assert.Equal(RegistryErrors.OnnxInvalid, result.Failure?.Code);
    }
}

using Bulwark.Core.Audit;
using Bulwark.Core.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Registry;

public sealed class ModelImporterTests
{
    internal static ImportedModelSchema Schema(string task = "binary", IReadOnlyList<string>? classes = null, string? output = null) => new(
        task,
        [new("a", "numeric", 0, 10), new("b", "numeric", 0, 10), new("c", "numeric", 0, 10), new("d", "numeric", 0, 10)],
        classes ?? ["benign", "malignant"],
        OutputName: output);

    [Fact]
    public async Task ImportOnnxAsync_ExportedModel_RegistersCandidateBoundToProbability()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await using var scope = env.Scope();
        var importer = scope.ServiceProvider.GetRequiredService<ModelImporter>();

        var result = await importer.ImportOnnxAsync("fraud", RegistryTestModels.NumericOnnx, Schema(), "admin", "10.0.0.1");

        Assert.True(result.Succeeded, result.Failure?.Detail);
        Assert.Equal("onnx", result.Value.Format);
        var schema = ModelVersionView.Schema(env.Services.GetRequiredService<Bulwark.Core.Crypto.EnvelopeEncryption>(), result.Value);
        Assert.Equal("Features", schema.Output.OnnxInput);
        Assert.Equal("Probability.output", schema.Output.OnnxOutput);
        Assert.Single(await env.AuditAsync(AuditCodes.ModelImported));
    }

    [Theory]
    [InlineData("pickle", "critical: imports os.system")]
    [InlineData("zip", "zip")]
    [InlineData("hdf5", "HDF5")]
    [InlineData("numpy", "NumPy")]
    [InlineData("garbage", "unrecognised")]
    [InlineData("empty", "empty")]
    public async Task ImportOnnxAsync_NotOnnx_UnsupportedAndAudited(string sample, string described)
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await using var scope = env.Scope();
        var importer = scope.ServiceProvider.GetRequiredService<ModelImporter>();

        // The file would be uploaded as "model.onnx": only its bytes count.
        var result = await importer.ImportOnnxAsync("fraud", ModelFormatSnifferTests.Sample(sample), Schema(), "admin", null);

        Assert.Equal(RegistryErrors.FormatUnsupported, result.Failure?.Code);
        Assert.Equal(415, result.Failure!.Status);
        Assert.Contains(described, result.Failure.Detail, StringComparison.Ordinal);
        var rejected = Assert.Single(await env.AuditAsync(AuditCodes.ModelImportRejected));
        Assert.Contains(RegistryErrors.FormatUnsupported, rejected.Details, StringComparison.Ordinal);
        Assert.Empty(await env.AuditAsync(AuditCodes.ModelImported));
    }

    [Fact]
    public async Task ImportOnnxAsync_FixedBatchInput_SchemaInvalid()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await using var scope = env.Scope();
        var graph = OnnxTestBuilder.Message(o =>
        {
            o.Bytes(1, OnnxTestBuilder.Node("Identity", "", "X", "Y"));
            o.Text(2, "g");
            o.Bytes(11, OnnxTestBuilder.ValueInfo("X", 1, 1, 4));
            o.Bytes(12, OnnxTestBuilder.ValueInfo("Y", 1, 1, 4));
        });

        var result = await scope.ServiceProvider.GetRequiredService<ModelImporter>().ImportOnnxAsync("fraud", OnnxTestBuilder.Model(graph), Schema(), "admin", null);

        Assert.Equal(RegistryErrors.SchemaInvalid, result.Failure?.Code);
        Assert.Contains("batch", result.Failure!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportOnnxAsync_OutputWidthLiesAboutModel_SchemaInvalidBySmokeTest()
    {
        // The graph declares Y as [N, 1] but Identity returns [N, 4]: only running it reveals the lie.
        await using var env = await CoreTestEnvironment.CreateAsync();
        await using var scope = env.Scope();
        var graph = OnnxTestBuilder.Message(o =>
        {
            o.Bytes(1, OnnxTestBuilder.Node("Identity", "", "X", "Y"));
            o.Text(2, "g");
            o.Bytes(11, OnnxTestBuilder.ValueInfo("X", 1, "N", 4));
            o.Bytes(12, OnnxTestBuilder.ValueInfo("Y", 1, "N", 1));
        });

        var result = await scope.ServiceProvider.GetRequiredService<ModelImporter>().ImportOnnxAsync("fraud", OnnxTestBuilder.Model(graph), Schema(), "admin", null);

        Assert.Equal(RegistryErrors.SchemaInvalid, result.Failure?.Code);
        Assert.Single(await env.AuditAsync(AuditCodes.ModelImportRejected));
    }

    [Fact]
    public async Task ImportOnnxAsync_ExternalData_OnnxInvalidAndAudited()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await using var scope = env.Scope();
        var model = OnnxTestBuilder.Model(OnnxTestBuilder.Graph([OnnxTestBuilder.Node("Identity", "", "X", "Y")], [OnnxTestBuilder.Tensor("W", true)]));

        var result = await scope.ServiceProvider.GetRequiredService<ModelImporter>().ImportOnnxAsync("fraud", model, Schema(), "admin", null);

        Assert.Equal(RegistryErrors.OnnxInvalid, result.Failure?.Code);
        Assert.Single(await env.AuditAsync(AuditCodes.ModelImportRejected));
    }

    private static readonly ImportedModelSchema[] Bad =
    [
        Schema() with { Task = "clustering" },
        Schema() with { Features = [] },
        Schema() with { Features = [new("a", "numeric"), new("a", "numeric"), new("c", "numeric"), new("d", "numeric")] },
        Schema() with { Features = [new("a b", "numeric"), new("b", "numeric"), new("c", "numeric"), new("d", "numeric")] },
        Schema() with { Features = [new("a", "categorical"), new("b", "numeric"), new("c", "numeric"), new("d", "numeric")] },
        Schema() with { Features = [new("a", "numeric", double.NaN), new("b", "numeric"), new("c", "numeric"), new("d", "numeric")] },
        Schema() with { Features = [new("a", "numeric", 5, 1), new("b", "numeric"), new("c", "numeric"), new("d", "numeric")] },
        Schema() with { Features = [new("a", "numeric"), new("b", "numeric"), new("c", "numeric")] },
        Schema() with { Classes = null },
        Schema() with { Classes = ["only"] },
        Schema() with { Classes = ["x", "x"] },
        Schema("regression", classes: ["a", "b"]),
        Schema() with { InputName = "Nope" },
        Schema() with { OutputName = "Nope" },
        Schema() with { OutputName = "Features.output" },
        Schema() with { OutputName = "PredictedLabel.output" },
    ];

    public static TheoryData<int> BadSchemas => new(Enumerable.Range(0, Bad.Length));

    [Theory]
    [MemberData(nameof(BadSchemas))]
    public async Task ImportOnnxAsync_SchemaDoesNotFit_SchemaInvalid(int index)
    {
        var schema = Bad[index];
        await using var env = await CoreTestEnvironment.CreateAsync();
        await using var scope = env.Scope();

        var result = await scope.ServiceProvider.GetRequiredService<ModelImporter>().ImportOnnxAsync("fraud", RegistryTestModels.NumericOnnx, schema, "admin", null);

        Assert.Equal(RegistryErrors.SchemaInvalid, result.Failure?.Code);
        Assert.Equal(422, result.Failure!.Status);
    }
}

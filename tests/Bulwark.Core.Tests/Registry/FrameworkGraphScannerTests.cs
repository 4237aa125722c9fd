using System.IO.Compression;
using System.Text;
using Bulwark.Core.Registry;

namespace Bulwark.Core.Tests.Registry;

/// <summary>
/// Keras Lambda layers and TensorFlow file ops, in hand-built files (bytes assembled here, never loaded by a framework):
/// bare, inside a zip, and inside a zip inside a zip; benign look-alikes keep the generic refusal.
/// </summary>
public sealed class FrameworkGraphScannerTests
{
    private static readonly byte[] Hdf5Magic = [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A];

    private const string LambdaConfig = """
        {"class_name": "Functional", "config": {"layers": [{"class_name": "InputLayer", "config": {}},
         {"class_name" :  "Lambda", "config": {"function": ["4wEAAAAAAAAAAAAAAAEAAAADAAAAQwAAAHMIAAAAdABkAYMBUwApAk4ZaWQpAdoCb3OpAPIBeHICAAAA", null, null]}}]}}
        """;

    /// <summary>An HDF5 file as Keras 2 writes it, reduced to what matters: the magic, then the model_config attribute's JSON.</summary>
    private static byte[] Hdf5(string config) => [.. Hdf5Magic, .. new byte[64], .. "model_config"u8, 0, 0, .. Encoding.UTF8.GetBytes(config), 0, 0];

    /// <summary>A GraphDef: repeated NodeDef (field 1) with name (field 1) and op (field 2).</summary>
    private static byte[] GraphDef(params string[] ops)
    {
        using var graph = new MemoryStream();
        var i = 0;
        foreach (var op in ops)
        {
            byte[] name = Encoding.ASCII.GetBytes("node" + i++);
            byte[] opBytes = Encoding.ASCII.GetBytes(op);
            byte[] node = [0x0A, (byte)name.Length, .. name, 0x12, (byte)opBytes.Length, .. opBytes];
            graph.Write([0x0A, (byte)node.Length, .. node]);
        }

        return graph.ToArray();
    }

    private static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var entry = zip.CreateEntry(name).Open();
                entry.Write(content);
            }
        }

        return buffer.ToArray();
    }

    [Fact]
    public void Identify_KerasHdf5WithLambda_KerasLambdaHigh()
    {
        var result = ModelFormatSniffer.Identify(Hdf5(LambdaConfig));
        Assert.Equal((ModelFileKind.Hdf5, "registry.keras-lambda", "high"), (result.Kind, result.Code, result.Severity));
        Assert.Contains("Lambda", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Identify_KerasV3ArchiveWithTFOpLambda_KerasLambda()
    {
        var config = Encoding.UTF8.GetBytes("""{"class_name": "Sequential", "config": {"layers": [{"class_name":"TFOpLambda","config":{}}]}}""");
        var keras = Zip(("metadata.json", "{}"u8.ToArray()), ("config.json", config), ("model.weights.h5", [.. Hdf5Magic, 0, 0]));
        var result = ModelFormatSniffer.Identify(keras);
        Assert.Equal(("registry.keras-lambda", "high"), (result.Code, result.Severity));
        Assert.Contains("TFOpLambda", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Identify_KerasWithoutLambda_StaysAGenericRefusal()
    {
        var benign = """{"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {"name": "Lambda"}}]}}""";
        Assert.Null(ModelFormatSniffer.Identify(Hdf5(benign)).Code);
        Assert.Null(ModelFormatSniffer.Identify(Zip(("config.json", Encoding.UTF8.GetBytes(benign)), ("model.weights.h5", [.. Hdf5Magic]))).Code);
    }

    [Theory]
    [InlineData("ReadFile")]
    [InlineData("WriteFile")]
    [InlineData("MatchingFiles")]
    [InlineData("PyFunc")]
    [InlineData("EagerPyFunc")]
    [InlineData("ImmutableConst")]
    [InlineData("SaveV2")]
    [InlineData("RestoreV2")]
    [InlineData("MergeV2Checkpoints")]
    public void Identify_TensorFlowGraphWithFileOp_Critical(string op)
    {
        var result = ModelFormatSniffer.Identify(GraphDef("Placeholder", "MatMul", op, "Identity"));
        Assert.Equal((ModelFileKind.Protobuf, "registry.tensorflow-file-op", "critical"), (result.Kind, result.Code, result.Severity));
        Assert.Equal([op], result.Imports!);
    }

    [Fact]
    public void Identify_TensorFlowGraphWithoutFileOps_StaysAGenericRefusal()
    {
        // A node merely named like a file op is not one: only the op field counts.
        var result = ModelFormatSniffer.Identify(GraphDef("Placeholder", "MatMul", "Softmax"));
        Assert.Equal(ModelFileKind.Protobuf, result.Kind);
        Assert.Null(result.Code);
    }

    [Fact]
    public void Identify_SavedModelInsideAZip_AndInsideAZipInAZip_Critical()
    {
        var savedModel = Zip(("model/saved_model.pb", GraphDef("Const", "ReadFile")), ("model/variables/variables.index", [1, 2, 3]));
        Assert.Equal("registry.tensorflow-file-op", ModelFormatSniffer.Identify(savedModel).Code);

        var outer = Zip(("readme.txt", "a model"u8.ToArray()), ("inner.zip", savedModel));
        var result = ModelFormatSniffer.Identify(outer);
        Assert.Equal(("registry.tensorflow-file-op", "critical"), (result.Code, result.Severity));
        Assert.Contains("nested", result.Description, StringComparison.Ordinal);

        var kerasInZip = Zip(("upload/model.h5", Hdf5(LambdaConfig)));
        Assert.Equal("registry.keras-lambda", ModelFormatSniffer.Identify(kerasInZip).Code);
    }
}

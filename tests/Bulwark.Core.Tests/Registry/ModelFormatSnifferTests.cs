using System.IO.Compression;
using System.Text;
using Bulwark.Core.Registry;

namespace Bulwark.Core.Tests.Registry;

public sealed class ModelFormatSnifferTests
{
    // Protocol 4 pickle of os.system("id") as pickle.dumps emits it: PROTO 4, FRAME, SHORT_BINUNICODE "os", MEMOIZE,
    // SHORT_BINUNICODE "system", MEMOIZE, STACK_GLOBAL, MEMOIZE, SHORT_BINUNICODE "id", TUPLE1, REDUCE, STOP.
    internal static readonly byte[] Protocol4OsSystem =
    [
        0x80, 0x04, 0x95, 0x1b, 0, 0, 0, 0, 0, 0, 0,
        0x8c, 0x02, (byte)'o', (byte)'s', 0x94,
        0x8c, 0x06, .. "system"u8, 0x94,
        0x93, 0x94,
        0x8c, 0x02, (byte)'i', (byte)'d', 0x94,
        0x85, 0x94, 0x52, 0x94, 0x2e,
    ];

    internal static readonly byte[] Protocol0OsSystem = Encoding.ASCII.GetBytes("cos\nsystem\n(S'id'\ntR.");

    [Fact]
    public void Identify_Protocol4PickleWithOsSystem_Critical()
    {
        var result = ModelFormatSniffer.Identify(Protocol4OsSystem);
        Assert.Equal(ModelFileKind.Pickle, result.Kind);
        Assert.Equal("critical", result.Severity);
        Assert.Contains("os.system", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Identify_Protocol0PickleWithOsSystem_Critical()
    {
        var result = ModelFormatSniffer.Identify(Protocol0OsSystem);
        Assert.Equal(ModelFileKind.Pickle, result.Kind);
        Assert.Equal("critical", result.Severity);
        Assert.Equal("pickle (critical: imports os.system)", result.Description);
    }

    [Fact]
    public void Identify_BenignPickle_PickleNotCritical()
    {
        byte[] bytes = [0x80, 0x04, 0x95, 0x05, 0, 0, 0, 0, 0, 0, 0, 0x4b, 0x2a, 0x2e];
        var result = ModelFormatSniffer.Identify(bytes);
        Assert.Equal(ModelFileKind.Pickle, result.Kind);
        Assert.NotEqual("critical", result.Severity);
    }

    [Fact]
    public void Identify_PyTorchZipWithSubprocessPickle_Critical()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry("archive/data.pkl").Open();
            entry.Write(Encoding.ASCII.GetBytes("csubprocess\nPopen\n(S'id'\ntR."));
        }

        var result = ModelFormatSniffer.Identify(buffer.ToArray());

        Assert.Equal(ModelFileKind.PyTorchZip, result.Kind);
        Assert.Equal("critical", result.Severity);
        Assert.Contains("subprocess.Popen", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Identify_ContentNotExtension_OnnxAndMlNet()
    {
        Assert.Equal(ModelFileKind.Onnx, ModelFormatSniffer.Identify(RegistryTestModels.NumericOnnx).Kind);
        Assert.Equal(ModelFileKind.MlNetZip, ModelFormatSniffer.Identify(RegistryTestModels.NumericZip).Kind);
    }

    [Theory]
    [InlineData("zip", "Zip")]
    [InlineData("hdf5", "Hdf5")]
    [InlineData("numpy", "NumPy")]
    [InlineData("safetensors", "Safetensors")]
    [InlineData("garbage", "Unknown")]
    [InlineData("empty", "Empty")]
    public void Identify_OtherFormats_Named(string sample, string expected)
    {
        Assert.Equal(Enum.Parse<ModelFileKind>(expected), ModelFormatSniffer.Identify(Sample(sample)).Kind);
    }

    internal static byte[] Sample(string name) => name switch
    {
        "zip" => Zip(),
        "hdf5" => [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0],
        "numpy" => [0x93, .. "NUMPY"u8, 1, 0, 0x76, 0, .. "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"u8],
        "safetensors" => [0x10, 0, 0, 0, 0, 0, 0, 0, .. "{\"__metadata__\":{}}"u8],
        "garbage" => [0xde, 0xad, 0xbe, 0xef, 0xff, 0xfe, 0x00, 0x13, 0x37],
        "empty" => [],
        "pickle" => Protocol4OsSystem,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static byte[] Zip()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry("weights.bin").Open();
            entry.Write([1, 2, 3]);
        }

        return buffer.ToArray();
    }
}

using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Bulwark.Core.Registry;

namespace Bulwark.Core.Tests.Registry;

/// <summary>
/// Attacks on the archive gate of model import: path traversal names and zip bombs, flat and nested. Every archive is
/// built here with System.IO.Compression; nothing is ever unpickled or extracted.
/// </summary>
public sealed class ZipArchiveInspectorTests
{
    internal static byte[] Zip(params (string Name, byte[] Data)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data) in entries)
            {
                using var entry = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
                entry.Write(data);
            }
        }

        return buffer.ToArray();
    }

    private static ModelFileIdentity Unsafe(byte[] bytes, string reason)
    {
        var identity = ModelFormatSniffer.Identify(bytes);
        Assert.Equal(ModelFileKind.UnsafeArchive, identity.Kind);
        Assert.Equal("critical", identity.Severity);
        Assert.Contains(reason, identity.Description, StringComparison.Ordinal);
        return identity;
    }

    [Theory]
    [InlineData("../evil", "'..' path segment")]
    [InlineData("weights/../../evil", "'..' path segment")]
    [InlineData("..", "'..' path segment")]
    [InlineData("/etc/passwd", "absolute path")]
    [InlineData("..\\evil", "backslash")]
    [InlineData("C:/Windows/evil.dll", "drive-letter")]
    [InlineData("c:evil", "drive-letter")]
    [InlineData("ok.bin\0../evil", "NUL")]
    public void Identify_EntryNameEscapingTheFolder_UnsafeCritical(string name, string reason)
    {
        Unsafe(Zip(("model.onnx", [1, 2, 3]), (name, [1, 2, 3])), reason);
    }

    [Fact]
    public void Identify_LongHostileName_NotEchoed()
    {
        var name = "../" + new string('A', 5000);
        var identity = Unsafe(Zip((name, [1])), "entry 1 has a '..' path segment");
        Assert.DoesNotContain("AAAA", identity.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("weights/data..bin")]
    [InlineData("a/..b/c")]
    [InlineData("dir/")]
    public void Identify_DotsInsideNames_NotMistakenForTraversal(string name)
    {
        Assert.Equal(ModelFileKind.Zip, ModelFormatSniffer.Identify(Zip((name, [1, 2]))).Kind);
    }

    [Fact]
    public void Identify_RatioBomb_Unsafe()
    {
        Unsafe(Zip(("weights.bin", new byte[8 * 1024 * 1024])), "zip bomb");
    }

    [Fact]
    public void Identify_HighRatioBelowFloor_NotABomb()
    {
        // 1 MiB of zeros compresses ~1000:1 but is under the floor: small sparse files are normal.
        Assert.Equal(ModelFileKind.Zip, ModelFormatSniffer.Identify(Zip(("weights.bin", new byte[1024 * 1024]))).Kind);
    }

    [Fact]
    public void Identify_TooManyEntries_Unsafe()
    {
        var entries = Enumerable.Range(0, ZipArchiveInspector.MaxEntries + 1).Select(i => ($"e{i}", Array.Empty<byte>())).ToArray();
        Unsafe(Zip(entries), $"more than {ZipArchiveInspector.MaxEntries} entries");
        Assert.Equal(ModelFileKind.Zip, ModelFormatSniffer.Identify(Zip(entries[..ZipArchiveInspector.MaxEntries])).Kind);
    }

    [Fact]
    public void Identify_DeclaredTotalOverCap_Unsafe()
    {
        // Random bytes do not compress, so only the total (not the ratio) trips: 3 × 1 MiB against a 2 MiB cap.
        var noise = new byte[1024 * 1024];
        System.Security.Cryptography.RandomNumberGenerator.Fill(noise);
        var zip = Zip(("a", noise), ("b", noise), ("c", noise));
        var identity = ModelFormatSniffer.Identify(zip, 2 * 1024 * 1024);
        Assert.Equal(ModelFileKind.UnsafeArchive, identity.Kind);
        Assert.Contains("expand to more than 2097152 bytes", identity.Description, StringComparison.Ordinal);
        Assert.Equal(ModelFileKind.Zip, ModelFormatSniffer.Identify(zip, 4 * 1024 * 1024).Kind);
    }

    [Fact]
    public void Identify_NestedTraversal_Unsafe()
    {
        var inner = Zip(("../evil", [1]));
        Unsafe(Zip(("model/inner.bin", inner)), "'..' path segment (in a nested archive, depth 2)");
    }

    [Fact]
    public void Identify_NestedBomb_Unsafe()
    {
        var inner = Zip(("weights.bin", new byte[8 * 1024 * 1024]));
        Unsafe(Zip(("inner.zip", inner)), "zip bomb) (in a nested archive, depth 2)");
    }

    [Fact]
    public void Identify_NestedEntriesCountAgainstTheSameBudget()
    {
        var half = Enumerable.Range(0, ZipArchiveInspector.MaxEntries / 2).Select(i => ($"e{i}", Array.Empty<byte>())).ToArray();
        Unsafe(Zip([("inner.zip", Zip(half)), .. half]), $"more than {ZipArchiveInspector.MaxEntries} entries");
    }

    [Fact]
    public void Identify_NestedTooDeep_Unsafe()
    {
        var zip = Zip(("weights.bin", [1, 2, 3]));
        for (var i = 0; i < ZipArchiveInspector.MaxDepth; i++)
        {
            zip = Zip(("inner.zip", zip));
        }

        Unsafe(zip, $"nested deeper than {ZipArchiveInspector.MaxDepth} levels");
    }

    [Fact]
    public void Identify_NestedWithinDepth_InspectedAndNamed()
    {
        var zip = Zip(("weights.bin", [1, 2, 3]));
        for (var i = 1; i < ZipArchiveInspector.MaxDepth; i++)
        {
            zip = Zip(("inner.zip", zip));
        }

        Assert.Equal(ModelFileKind.Zip, ModelFormatSniffer.Identify(zip).Kind);
    }

    [Fact]
    public void Identify_NestedEntryLyingAboutItsSize_Unsafe()
    {
        // The outer directory claims the nested zip is 64 bytes shorter than it is: reading must stop at the claim,
        // so the nested archive is either caught inflating past it or found truncated; never trusted.
        var inner = Zip(("weights.bin", Encoding.ASCII.GetBytes(new string('x', 4096))));
        var outer = Zip(("inner.zip", inner));
        var patched = 0;
        for (var at = 0; at + 4 <= outer.Length; at++)
        {
            if (outer.AsSpan(at).StartsWith("PK\x01\x02"u8))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(outer.AsSpan(at + 24), (uint)(inner.Length - 64));
                patched++;
            }
            else if (outer.AsSpan(at).StartsWith("PK\x03\x04"u8) && at == 0)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(outer.AsSpan(at + 22), (uint)(inner.Length - 64));
            }
        }

        Assert.Equal(1, patched);
        Assert.Equal(ModelFileKind.UnsafeArchive, ModelFormatSniffer.Identify(outer).Kind);
    }

    [Fact]
    public void Identify_EndRecordClaimingTooManyEntries_RefusedBeforeParsing()
    {
        var zip = Zip(("weights.bin", [1, 2, 3]));
        var end = zip.AsSpan().LastIndexOf("PK\x05\x06"u8);
        BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(end + 8), 60_000);
        BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(end + 10), 60_000);
        Unsafe(zip, "more than");
    }

    [Fact]
    public void Identify_SafePyTorchZip_StillCriticalPickle()
    {
        var zip = Zip(("archive/data.pkl", ModelFormatSnifferTests.Protocol4OsSystem), ("archive/data/0", new byte[4096]), ("archive/version", "3\n"u8.ToArray()));
        var identity = ModelFormatSniffer.Identify(zip);
        Assert.Equal(ModelFileKind.PyTorchZip, identity.Kind);
        Assert.Equal("critical", identity.Severity);
        Assert.Contains("os.system", identity.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Identify_UnsafePyTorchZip_ArchiveVerdictWins()
    {
        var zip = Zip(("archive/data.pkl", ModelFormatSnifferTests.Protocol4OsSystem), ("../archive/evil", [1]));
        Assert.Equal(ModelFileKind.UnsafeArchive, ModelFormatSniffer.Identify(zip).Kind);
    }
}

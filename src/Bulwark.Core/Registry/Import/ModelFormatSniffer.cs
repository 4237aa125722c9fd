using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Bulwark.Core.Registry;

/// <summary>
/// Identifies a model file by content. Only ONNX is ever imported; everything else is named so the refusal can say what
/// was sent. Pickle-based formats (raw pickle, PyTorch zips, joblib) execute code on load: their imported globals are
/// listed and code-execution modules flagged "critical", as scanners such as picklescan / ModelScan do.
/// </summary>
internal static class ModelFormatSniffer
{
    private static readonly HashSet<string> DangerousModules = new(StringComparer.Ordinal)
    {
        "os", "posix", "nt", "subprocess", "builtins", "__builtin__", "sys", "socket", "shutil", "runpy", "pty",
        "commands", "webbrowser", "importlib", "pickle", "_pickle", "marshal", "types", "ctypes", "code", "codecs",
    };

    private const int MaxZipPickleBytes = 16 * 1024 * 1024;

    // Byte arrays, not u8 string literals: "\x89" in a string is U+0089, which UTF-8 encodes as two bytes.
    private static ReadOnlySpan<byte> Hdf5Magic => [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A];

    private static ReadOnlySpan<byte> NumPyMagic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Cap on a zip's total declared uncompressed size when the caller names none: 4 × the default model cap.</summary>
    public const long DefaultMaxExpandedBytes = 4 * 256L * 1024 * 1024;

    /// <param name="bytes">The uploaded file.</param>
    /// <param name="maxExpandedBytes">Cap on what a zip's entries (nested ones included) declare they expand to.</param>
    public static ModelFileIdentity Identify(ReadOnlySpan<byte> bytes, long maxExpandedBytes = DefaultMaxExpandedBytes)
    {
        if (bytes.IsEmpty)
        {
            return new(ModelFileKind.Empty, "an empty file");
        }

        if (ZipArchiveInspector.IsZip(bytes))
        {
            // Archive safety first: only a zip whose directory is sane is opened further to tell what it holds.
            var array = bytes.ToArray();
            var problem = ZipArchiveInspector.FindProblem(array, maxExpandedBytes);
            return problem is null ? IdentifyZip(array, 1) : new(ModelFileKind.UnsafeArchive, $"an unsafe zip archive: {problem}", "critical");
        }

        if (bytes.StartsWith(Hdf5Magic))
        {
            return FrameworkGraphScanner.FindKerasLambda(bytes) is { } layer ? KerasLambda(ModelFileKind.Hdf5, "HDF5 (Keras .h5)", layer) : new(ModelFileKind.Hdf5, "HDF5 (Keras .h5)");
        }

        if (bytes.StartsWith(NumPyMagic))
        {
            return new(ModelFileKind.NumPy, "a NumPy array (.npy)");
        }

        if (IsSafetensors(bytes))
        {
            return new(ModelFileKind.Safetensors, "safetensors weights (no graph to run)");
        }

        if (LooksLikePickle(bytes))
        {
            return DescribePickle(bytes, "pickle");
        }

        return ProbeProtobuf(bytes);
    }

    private static bool IsSafetensors(ReadOnlySpan<byte> bytes) =>
        bytes.Length > 9 && bytes[8] == (byte)'{' && BinaryPrimitives.ReadUInt64LittleEndian(bytes) is var n && n > 1 && n <= (ulong)(bytes.Length - 8);

    // Protocol 2+ starts with PROTO (0x80) and the protocol number; protocol 0/1 pickles typically start with GLOBAL
    // ("c module\nname\n"), MARK '(' or an empty container and end with STOP '.'.
    private static bool LooksLikePickle(ReadOnlySpan<byte> bytes) =>
        (bytes.Length >= 2 && bytes[0] == 0x80 && bytes[1] is >= 2 and <= 5)
        || (bytes[0] == (byte)'c' && ReadGlobal(bytes, 0, out _) > 0)
        || (bytes[0] is (byte)'(' or (byte)']' or (byte)'}' or (byte)')' && bytes[^1] == (byte)'.');

    private static ModelFileIdentity DescribePickle(ReadOnlySpan<byte> bytes, string what)
    {
        var imports = PickleImports(bytes);
        var dangerous = imports.Where(i => DangerousModules.Contains(i.Split('.')[0])).ToList();
        if (dangerous.Count > 0)
        {
            return new(ModelFileKind.Pickle, $"{what} (critical: imports {string.Join(", ", dangerous.Take(5))})", "critical", imports);
        }

        var detail = imports.Count > 0 ? $"{what} (imports {string.Join(", ", imports.Take(5))}; loading a pickle runs code)" : $"{what} (loading a pickle runs code)";
        return new(ModelFileKind.Pickle, detail, "high", imports);
    }

    /// <summary>
    /// The module.name globals a pickle references: GLOBAL / INST opcodes ("c"/"i" module\nname\n) and STACK_GLOBAL (0x93)
    /// after two SHORT_BINUNICODE / BINUNICODE strings. A byte scan, not a full opcode walk: it may over-report, which
    /// only makes a refusal's message more cautious; every pickle is refused either way.
    /// </summary>
    internal static List<string> PickleImports(ReadOnlySpan<byte> bytes)
    {
        var found = new List<string>();
        string? previous = null;
        string? last = null;
        for (var i = 0; i < bytes.Length; i++)
        {
            switch (bytes[i])
            {
                case (byte)'c' or (byte)'i':
                    var consumed = ReadGlobal(bytes, i, out var global);
                    if (consumed > 0)
                    {
                        found.Add(global);
                        i += consumed - 1;
                    }

                    break;
                case 0x8c when i + 1 < bytes.Length && i + 2 + bytes[i + 1] <= bytes.Length:
                    (previous, last) = (last, Identifier(bytes.Slice(i + 2, bytes[i + 1])));
                    i += 1 + bytes[i + 1];
                    break;
                case (byte)'X' when i + 5 <= bytes.Length:
                    var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[(i + 1)..]);
                    if (length is > 0 and <= 256 && i + 5 + length <= bytes.Length)
                    {
                        (previous, last) = (last, Identifier(bytes.Slice(i + 5, length)));
                        i += 4 + length;
                    }

                    break;
                case 0x93 when previous is not null && last is not null:
                    found.Add(previous + "." + last);
                    (previous, last) = (null, null);
                    break;
            }
        }

        return [.. found.Distinct(StringComparer.Ordinal)];
    }

    // "c" module "\n" name "\n" with identifier characters only; returns bytes consumed or 0.
    private static int ReadGlobal(ReadOnlySpan<byte> bytes, int at, out string global)
    {
        global = "";
        var rest = bytes[(at + 1)..];
        var first = rest.IndexOf((byte)'\n');
        if (first is <= 0 or > 128)
        {
            return 0;
        }

        var second = rest[(first + 1)..].IndexOf((byte)'\n');
        if (second is <= 0 or > 128)
        {
            return 0;
        }

        var module = Identifier(rest[..first]);
        var name = Identifier(rest.Slice(first + 1, second));
        if (module is null || name is null)
        {
            return 0;
        }

        global = module + "." + name;
        return 1 + first + 1 + second + 1;
    }

    private static string? Identifier(ReadOnlySpan<byte> span)
    {
        if (span.IsEmpty || span.Length > 128)
        {
            return null;
        }

        foreach (var b in span)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'_' or (byte)'.'))
            {
                return null;
            }
        }

        return Encoding.ASCII.GetString(span);
    }

    /// <summary>Most bytes of one zip entry read to look for a Keras Lambda or TensorFlow file ops (larger entries are refused unread).</summary>
    private const int MaxScannedEntryBytes = ZipArchiveInspector.MaxNestedBytes;

    private static ModelFileIdentity KerasLambda(ModelFileKind kind, string what, string layer) =>
        new(kind, $"{what} with a Keras {layer} layer (its Python code runs when the model loads)", "high", Code: RegistryErrors.KerasLambda);

    private static ModelFileIdentity TensorFlowFileOps(ModelFileKind kind, string what, IReadOnlyList<string> ops) =>
        new(kind, $"{what} whose graph uses file or Python ops ({string.Join(", ", ops.Take(5))})", "critical", ops, RegistryErrors.TensorFlowFileOp);

    private static ModelFileIdentity IdentifyZip(byte[] bytes, int depth)
    {
        try
        {
            using var archive = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
            var names = archive.Entries.Select(e => e.FullName).ToList();
            var pickle = archive.Entries.FirstOrDefault(e => e.FullName.EndsWith("data.pkl", StringComparison.Ordinal) || e.FullName.EndsWith(".pkl", StringComparison.Ordinal));
            if (pickle is not null)
            {
                if (pickle.Length is > 0 and <= MaxZipPickleBytes)
                {
                    // Bounded read: the declared size of a zip entry is attacker-controlled (zip bombs).
                    using var stream = pickle.Open();
                    var buffer = new byte[pickle.Length];
                    var read = 0;
                    int n;
                    while (read < buffer.Length && (n = stream.Read(buffer, read, buffer.Length - read)) > 0)
                    {
                        read += n;
                    }

                    return DescribePickle(buffer.AsSpan(0, read), "a PyTorch / pickle zip") with { Kind = ModelFileKind.PyTorchZip };
                }

                return new(ModelFileKind.PyTorchZip, "a PyTorch / pickle zip (loading it runs code)", "high");
            }

            if (ScanEntries(archive, depth) is { } dangerous)
            {
                return dangerous;
            }

            if (names.Any(n => n.StartsWith("TransformerChain/", StringComparison.Ordinal) || n.StartsWith("Model/", StringComparison.Ordinal)))
            {
                return new(ModelFileKind.MlNetZip, "an ML.NET model zip (import ONNX instead)");
            }

            if (names.Contains("config.json") && names.Any(n => n.EndsWith(".h5", StringComparison.Ordinal)))
            {
                return new(ModelFileKind.Zip, "a Keras v3 archive");
            }

            return new(ModelFileKind.Zip, "a zip archive");
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or IOException)
        {
            return new(ModelFileKind.Zip, "a damaged or unsupported zip archive");
        }
    }

    /// <summary>
    /// Keras configs and HDF5 files, TensorFlow graphs (<c>*.pb</c>) and nested zips inside an archive that
    /// <see cref="ZipArchiveInspector"/> already found safe (so nesting depth and sizes are bounded).
    /// </summary>
    private static ModelFileIdentity? ScanEntries(ZipArchive archive, int depth)
    {
        var where = depth == 1 ? "a zip archive" : "a nested zip archive";
        foreach (var entry in archive.Entries.Where(e => e.Length is > 0 and <= MaxScannedEntryBytes))
        {
            var name = entry.FullName;
            if (!Interesting(entry))
            {
                continue;
            }

            var content = Read(entry);
            if (ZipArchiveInspector.IsZip(content))
            {
                if (depth < ZipArchiveInspector.MaxDepth && IdentifyZip(content, depth + 1) is { Code: not null } nested)
                {
                    return nested;
                }
            }
            else if ((name.EndsWith(".json", StringComparison.Ordinal) || content.AsSpan().StartsWith(Hdf5Magic)) && FrameworkGraphScanner.FindKerasLambda(content) is { } layer)
            {
                return KerasLambda(ModelFileKind.Zip, $"{where} holding '{name}'", layer);
            }
            else if (name.EndsWith(".pb", StringComparison.Ordinal) && FrameworkGraphScanner.FindTensorFlowFileOps(content) is { Count: > 0 } ops)
            {
                return TensorFlowFileOps(ModelFileKind.Zip, $"{where} holding the TensorFlow graph '{name}'", ops);
            }
        }

        return null;
    }

    // Only entries that can hold a config, a graph or another archive are read whole; the rest by their first bytes.
    private static bool Interesting(ZipArchiveEntry entry)
    {
        if (entry.FullName.EndsWith(".json", StringComparison.Ordinal) || entry.FullName.EndsWith(".pb", StringComparison.Ordinal))
        {
            return true;
        }

        Span<byte> head = stackalloc byte[8];
        using var stream = entry.Open();
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return ZipArchiveInspector.IsZip(head[..read]) || head[..read].StartsWith(Hdf5Magic);
    }

    private static byte[] Read(ZipArchiveEntry entry)
    {
        // Bounded read: the declared size of a zip entry is attacker-controlled (zip bombs).
        using var stream = entry.Open();
        var buffer = new byte[entry.Length];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = stream.Read(buffer, read, buffer.Length - read)) > 0)
        {
            read += n;
        }

        return read == buffer.Length ? buffer : buffer[..read];
    }

    // ONNX is a protobuf ModelProto with ir_version (field 1, varint) and graph (field 7, message). A well-formed
    // protobuf without them is some other protobuf, e.g. a TensorFlow SavedModel (saved_model.pb).
    private static ModelFileIdentity ProbeProtobuf(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var array = bytes.ToArray();
            bool ir = false, graph = false;
            foreach (var f in ProtoReader.Fields(new ProtoSlice(array, 0, array.Length)))
            {
                ir |= f.Number == 1 && f.WireType == Google.Protobuf.WireFormat.WireType.Varint;
                graph |= f.Number == 7 && f.WireType == Google.Protobuf.WireFormat.WireType.LengthDelimited;
            }

            if (ir && graph)
            {
                return new(ModelFileKind.Onnx, "an ONNX model");
            }

            const string What = "a protobuf that is not an ONNX model (e.g. a TensorFlow SavedModel)";
            return FrameworkGraphScanner.FindTensorFlowFileOps(array) is { Count: > 0 } ops
                ? TensorFlowFileOps(ModelFileKind.Protobuf, "a TensorFlow SavedModel or GraphDef", ops)
                : new(ModelFileKind.Protobuf, What);
        }
        catch (Exception ex) when (ex is Google.Protobuf.InvalidProtocolBufferException or InvalidDataException or IndexOutOfRangeException)
        {
            return new(ModelFileKind.Unknown, "an unrecognised file");
        }
    }
}

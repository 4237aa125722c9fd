namespace Bulwark.Core.Registry;

/// <summary>
/// Byte-level checks for the two framework features that turn loading a model into running code: a Keras <c>Lambda</c>
/// (or <c>TFOpLambda</c>) layer, whose marshalled Python bytecode runs when the model is deserialised, and TensorFlow graph
/// ops that touch files or call back into Python (<c>ReadFile</c>, <c>WriteFile</c>, <c>PyFunc</c>…), as scanners such as
/// ModelScan flag them. Nothing is parsed or executed: the Keras check looks for <c>"class_name": "Lambda"</c> in the JSON
/// model config (Keras v3 <c>config.json</c>, or the HDF5 <c>model_config</c> attribute, which HDF5 stores as plain bytes);
/// the TensorFlow check looks for a NodeDef <c>op</c> field (field 2, a length-delimited string) holding one of the op
/// names. A crafted file could hide from either (a JSON escape, a compressed attribute); that changes only the refusal's
/// code, since the registry imports nothing but ONNX.
/// </summary>
internal static class FrameworkGraphScanner
{
    /// <summary>Ops that read, write, list or map files, or run Python (TensorFlow raw_ops names).</summary>
    public static readonly string[] TensorFlowFileOps =
    [
        "ReadFile", "WriteFile", "MatchingFiles", "MergeV2Checkpoints", "Save", "SaveV2", "SaveSlices", "Restore", "RestoreV2", "RestoreSlice",
        "PyFunc", "PyFuncStateless", "EagerPyFunc", "ImmutableConst", "CreateSummaryFileWriter",
    ];

    private static readonly byte[][] EncodedOps = [.. TensorFlowFileOps.Select(Encode)];

    /// <summary>The Lambda-like layer class a Keras model config names ("Lambda" or "TFOpLambda"), or null.</summary>
    public static string? FindKerasLambda(ReadOnlySpan<byte> bytes)
    {
        var key = "\"class_name\""u8;
        for (var at = bytes.IndexOf(key); at >= 0; at = bytes.IndexOf(key))
        {
            bytes = bytes[(at + key.Length)..];
            var value = SkipSpace(bytes);
            if (value.IsEmpty || value[0] != (byte)':')
            {
                continue;
            }

            value = SkipSpace(value[1..]);
            if (value.StartsWith("\"Lambda\""u8))
            {
                return "Lambda";
            }

            if (value.StartsWith("\"TFOpLambda\""u8))
            {
                return "TFOpLambda";
            }
        }

        return null;
    }

    /// <summary>The file and Python ops a serialized TensorFlow graph (SavedModel, GraphDef) uses, in list order.</summary>
    public static IReadOnlyList<string> FindTensorFlowFileOps(ReadOnlySpan<byte> bytes)
    {
        var found = new List<string>();
        for (var i = 0; i < EncodedOps.Length; i++)
        {
            if (bytes.IndexOf(EncodedOps[i]) >= 0)
            {
                found.Add(TensorFlowFileOps[i]);
            }
        }

        return found;
    }

    // NodeDef.op is field 2, wire type 2: tag byte 0x12, then the length (one varint byte for names under 128), then the name.
    private static byte[] Encode(string op) => [0x12, (byte)op.Length, .. System.Text.Encoding.ASCII.GetBytes(op)];

    private static ReadOnlySpan<byte> SkipSpace(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length && bytes[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i++;
        }

        return bytes[i..];
    }
}

using Google.Protobuf;

namespace Bulwark.Core.Registry;

/// <summary>
/// Reads an ONNX ModelProto (onnx/onnx.proto3) before any runtime sees it and refuses what a safe model does not need:
/// operators outside the standard domains (custom ops are native code), external tensor data (a path the runtime would
/// open on the server's disk), model-local functions, and oversized graphs. Subgraphs (If/Loop/Scan bodies) and tensor
/// attributes (Constant values) are inspected too, since they can carry the same payloads. The control-flow operators
/// If, Loop and Scan are refused outright: Loop and Scan run their body a number of times taken from the input or
/// from a data-dependent condition (a small request could pin a CPU), and If picks a subgraph by a runtime value, so a
/// graph could behave differently for chosen inputs. None of them is produced by the ML.NET exports Bulwark serves.
/// </summary>
internal static class OnnxInspector
{
    private static readonly HashSet<string> AllowedDomains = new(StringComparer.Ordinal) { "", "ai.onnx", "ai.onnx.ml" };
    private static readonly HashSet<string> RefusedOperators = new(StringComparer.Ordinal) { "If", "Loop", "Scan" };
    private const int MaxGraphDepth = 8;
    private const int DataLocationExternal = 1;

    public static Outcome<OnnxModelInfo> Inspect(byte[] bytes, RegistryOptions options)
    {
        if (bytes.LongLength > options.MaxModelBytes)
        {
            return RegistryErrors.Onnx($"The model is larger than the {options.MaxModelBytes} byte limit.") with { Status = 413 };
        }

        try
        {
            var state = new State(options);
            long irVersion = 0;
            var graphs = new List<ProtoSlice>();
            var opsets = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var field in ProtoReader.Fields(new ProtoSlice(bytes, 0, bytes.Length)))
            {
                switch (field.Number)
                {
                    case 1:
                        irVersion = ProtoReader.Int64(field);
                        break;
                    case 7:
                        // Protobuf merges repeated occurrences of a message field, and so does the runtime's parser:
                        // a graph split over several field-7 chunks must be inspected chunk by chunk, not last-wins.
                        graphs.Add(ProtoReader.Message(field));
                        break;
                    case 8:
                        var (domain, version) = ReadOpset(ProtoReader.Message(field));
                        opsets[domain] = version;
                        break;
                    case 25:
                        return RegistryErrors.Onnx("Model-local functions are not accepted.");
                }
            }

            if (graphs.Count == 0 || irVersion <= 0)
            {
                return RegistryErrors.Onnx("Not an ONNX model: no ir_version or no graph.");
            }

            var inputs = new List<OnnxTensorInfo>();
            var outputs = new List<OnnxTensorInfo>();
            foreach (var graph in graphs)
            {
                var (i, o) = ReadGraph(graph, state, depth: 0);
                inputs.AddRange(i);
                outputs.AddRange(o);
            }

            if (state.Rejection is not null)
            {
                return RegistryErrors.Onnx(state.Rejection);
            }

            if (outputs.Count == 0)
            {
                return RegistryErrors.Onnx("The ONNX graph declares no outputs.");
            }

            return new OnnxModelInfo(irVersion, inputs, outputs, opsets, state.Nodes, state.InitializerBytes);
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidDataException or IndexOutOfRangeException or ArgumentException)
        {
            return RegistryErrors.Onnx("Not an ONNX model: the protobuf is malformed.");
        }
    }

    private sealed class State(RegistryOptions options)
    {
        public RegistryOptions Options { get; } = options;
        public int Nodes { get; set; }
        public long InitializerBytes { get; set; }
        public string? Rejection { get; set; }

        public void Reject(string reason) => Rejection ??= reason;
    }

    private static (string Domain, long Version) ReadOpset(ProtoSlice slice)
    {
        var domain = "";
        long version = 0;
        foreach (var f in ProtoReader.Fields(slice))
        {
            if (f.Number == 1)
            {
                domain = ProtoReader.String(f);
            }
            else if (f.Number == 2)
            {
                version = ProtoReader.Int64(f);
            }
        }

        return (domain, version);
    }

    // GraphProto: node=1, name=2, initializer=5, input=11, output=12, sparse_initializer=15.
    private static (List<OnnxTensorInfo> Inputs, List<OnnxTensorInfo> Outputs) ReadGraph(ProtoSlice graph, State state, int depth)
    {
        var inputs = new List<OnnxTensorInfo>();
        var outputs = new List<OnnxTensorInfo>();
        var initializers = new HashSet<string>(StringComparer.Ordinal);
        if (depth > MaxGraphDepth)
        {
            state.Reject("Subgraphs are nested too deeply.");
            return (inputs, outputs);
        }

        foreach (var f in ProtoReader.Fields(graph))
        {
            switch (f.Number)
            {
                case 1:
                    ReadNode(ProtoReader.Message(f), state, depth);
                    break;
                case 5:
                    initializers.Add(ReadTensor(ProtoReader.Message(f), state));
                    break;
                case 15:
                    ReadSparseTensor(ProtoReader.Message(f), state);
                    break;
                case 11:
                    inputs.Add(ReadValueInfo(ProtoReader.Message(f)));
                    break;
                case 12:
                    outputs.Add(ReadValueInfo(ProtoReader.Message(f)));
                    break;
            }
        }

        // Older exporters list initializers among the inputs; they are not inputs a caller feeds.
        inputs.RemoveAll(i => initializers.Contains(i.Name));
        return (inputs, outputs);
    }

    // NodeProto: op_type=4, domain=7, attribute=5.
    private static void ReadNode(ProtoSlice node, State state, int depth)
    {
        if (++state.Nodes > state.Options.MaxOnnxNodes)
        {
            state.Reject($"The graph has more than {state.Options.MaxOnnxNodes} nodes.");
            return;
        }

        var domain = "";
        var opType = "";
        foreach (var f in ProtoReader.Fields(node))
        {
            switch (f.Number)
            {
                case 4:
                    opType = ProtoReader.String(f);
                    break;
                case 7:
                    domain = ProtoReader.String(f);
                    break;
                case 5:
                    ReadAttribute(ProtoReader.Message(f), state, depth);
                    break;
            }
        }

        if (!AllowedDomains.Contains(domain))
        {
            state.Reject($"Operator '{Printable(opType)}' is in domain '{Printable(domain)}'; only the standard ONNX domains are accepted.");
        }
        else if (RefusedOperators.Contains(opType))
        {
            state.Reject($"Operator '{opType}' is not accepted: control-flow operators (If, Loop, Scan) run subgraphs a data-dependent number of times.");
        }
    }

    // AttributeProto: t=5, g=6, tensors=10, graphs=11, sparse_tensor=22, sparse_tensors=23.
    private static void ReadAttribute(ProtoSlice attribute, State state, int depth)
    {
        foreach (var f in ProtoReader.Fields(attribute))
        {
            switch (f.Number)
            {
                case 5 or 10:
                    ReadTensor(ProtoReader.Message(f), state);
                    break;
                case 6 or 11:
                    ReadGraph(ProtoReader.Message(f), state, depth + 1);
                    break;
                case 22 or 23:
                    ReadSparseTensor(ProtoReader.Message(f), state);
                    break;
            }
        }
    }

    // SparseTensorProto: values=1, indices=2 (both TensorProto).
    private static void ReadSparseTensor(ProtoSlice sparse, State state)
    {
        foreach (var f in ProtoReader.Fields(sparse))
        {
            if (f.Number is 1 or 2)
            {
                ReadTensor(ProtoReader.Message(f), state);
            }
        }
    }

    // TensorProto: name=8, raw_data=9, external_data=13, data_location=14.
    private static string ReadTensor(ProtoSlice tensor, State state)
    {
        var name = "";
        foreach (var f in ProtoReader.Fields(tensor))
        {
            switch (f.Number)
            {
                case 8:
                    name = ProtoReader.String(f);
                    break;
                case 13:
                    state.Reject("Tensors with external data are not accepted (the runtime would read files from the server's disk).");
                    break;
                case 14 when ProtoReader.Int64(f) == DataLocationExternal:
                    state.Reject("Tensors with external data are not accepted (the runtime would read files from the server's disk).");
                    break;
            }
        }

        state.InitializerBytes += tensor.Length;
        if (state.InitializerBytes > state.Options.MaxInitializerBytes)
        {
            state.Reject($"The model's initializers exceed {state.Options.MaxInitializerBytes} bytes.");
        }

        return name;
    }

    // ValueInfoProto: name=1, type=2 → TypeProto tensor_type=1 → elem_type=1, shape=2 → dim=1 → dim_value=1 / dim_param=2.
    private static OnnxTensorInfo ReadValueInfo(ProtoSlice valueInfo)
    {
        var name = "";
        var elemType = 0;
        List<OnnxDim>? shape = null;
        foreach (var f in ProtoReader.Fields(valueInfo))
        {
            if (f.Number == 1)
            {
                name = ProtoReader.String(f);
            }
            else if (f.Number == 2)
            {
                foreach (var t in ProtoReader.Fields(ProtoReader.Message(f)).Where(t => t.Number == 1))
                {
                    foreach (var tt in ProtoReader.Fields(ProtoReader.Message(t)))
                    {
                        if (tt.Number == 1)
                        {
                            elemType = (int)ProtoReader.Int64(tt);
                        }
                        else if (tt.Number == 2)
                        {
                            shape = ReadShape(ProtoReader.Message(tt));
                        }
                    }
                }
            }
        }

        return new OnnxTensorInfo(name, elemType, shape);
    }

    private static List<OnnxDim> ReadShape(ProtoSlice shape)
    {
        var dims = new List<OnnxDim>();
        foreach (var d in ProtoReader.Fields(shape).Where(d => d.Number == 1))
        {
            long? value = null;
            string? param = null;
            foreach (var x in ProtoReader.Fields(ProtoReader.Message(d)))
            {
                if (x.Number == 1)
                {
                    value = ProtoReader.Int64(x);
                }
                else if (x.Number == 2)
                {
                    param = ProtoReader.String(x);
                }
            }

            dims.Add(new OnnxDim(value, param));
        }

        return dims;
    }

    private static string Printable(string value) => new([.. value.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
}

using Google.Protobuf;

namespace Bulwark.Core.Tests.Registry;

/// <summary>Hand-assembles ONNX protobuf messages (onnx.proto3 field numbers) to build hostile models byte by byte.</summary>
internal static class OnnxTestBuilder
{
    public static byte[] Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer))
        {
            write(output);
        }

        return buffer.ToArray();
    }

    public static void Bytes(this CodedOutputStream o, int field, byte[] value)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(value));
    }

    public static void Text(this CodedOutputStream o, int field, string value)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteString(value);
    }

    public static void Int(this CodedOutputStream o, int field, long value)
    {
        o.WriteTag(field, WireFormat.WireType.Varint);
        o.WriteInt64(value);
    }

    // ValueInfoProto{name=1, type=2{tensor_type=1{elem_type=1, shape=2{dim=1{dim_value=1 | dim_param=2}}}}}
    public static byte[] ValueInfo(string name, int elemType, params object[] dims) => Message(o =>
    {
        o.Text(1, name);
        o.Bytes(2, Message(t => t.Bytes(1, Message(tt =>
        {
            tt.Int(1, elemType);
            tt.Bytes(2, Message(s =>
            {
                foreach (var d in dims)
                {
                    s.Bytes(1, Message(x =>
                    {
                        if (d is string param)
                        {
                            x.Text(2, param);
                        }
                        else
                        {
                            x.Int(1, Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture));
                        }
                    }));
                }
            }));
        }))));
    });

    // NodeProto{input=1, output=2, op_type=4, domain=7, attribute=5}
    public static byte[] Node(string op, string domain, string input, string output, byte[]? attribute = null) => Message(o =>
    {
        o.Text(1, input);
        o.Text(2, output);
        o.Text(4, op);
        if (domain.Length > 0)
        {
            o.Text(7, domain);
        }

        if (attribute is not null)
        {
            o.Bytes(5, attribute);
        }
    });

    // TensorProto{dims=1, data_type=2, name=8, raw_data=9, external_data=13{key=1, value=2}, data_location=14}
    public static byte[] Tensor(string name, bool external, bool locationOnly = false) => Message(o =>
    {
        o.Int(1, 4);
        o.Int(2, 1);
        o.Text(8, name);
        if (!external)
        {
            o.Bytes(9, new byte[16]);
            return;
        }

        if (!locationOnly)
        {
            o.Bytes(13, Message(e =>
            {
                e.Text(1, "location");
                e.Text(2, "../../../../etc/passwd");
            }));
        }

        o.Int(14, 1);
    });

    public static byte[] Graph(IEnumerable<byte[]> nodes, IEnumerable<byte[]>? initializers = null, bool io = true) => Message(o =>
    {
        foreach (var n in nodes)
        {
            o.Bytes(1, n);
        }

        o.Text(2, "g");
        foreach (var i in initializers ?? [])
        {
            o.Bytes(5, i);
        }

        if (io)
        {
            o.Bytes(11, ValueInfo("X", 1, "N", 4));
            o.Bytes(12, ValueInfo("Y", 1, "N", 4));
        }
    });

    /// <summary>ModelProto{ir_version=1, opset_import=8{domain=1, version=2}, graph=7}.</summary>
    public static byte[] Model(byte[] graph, string extraOpsetDomain = "") => Message(o =>
    {
        o.Int(1, 8);
        o.Bytes(8, Message(s =>
        {
            s.Text(1, "");
            s.Int(2, 13);
        }));
        if (extraOpsetDomain.Length > 0)
        {
            o.Bytes(8, Message(s =>
            {
                s.Text(1, extraOpsetDomain);
                s.Int(2, 1);
            }));
        }

        o.Bytes(7, graph);
    });

    /// <summary>A minimal valid model: Y = Identity(X), X and Y float [N, 4].</summary>
    public static byte[] IdentityModel() => Model(Graph([Node("Identity", "", "X", "Y")]));
}

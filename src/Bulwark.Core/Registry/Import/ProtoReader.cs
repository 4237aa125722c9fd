using Google.Protobuf;

namespace Bulwark.Core.Registry;

/// <summary>A region of a protobuf buffer holding one message.</summary>
internal readonly record struct ProtoSlice(byte[] Buffer, int Offset, int Length);

/// <summary>One field: the varint value for wire type 0, the payload region for wire type 2.</summary>
internal readonly record struct ProtoField(int Number, WireFormat.WireType WireType, ulong Varint, ProtoSlice Payload);

/// <summary>
/// Walks the fields of a protobuf message with <see cref="CodedInputStream"/> without copying sub-messages: nested
/// messages are returned as regions of the same buffer, so a 256 MiB model is never duplicated while it is inspected.
/// Malformed input throws <see cref="InvalidProtocolBufferException"/> or <see cref="InvalidDataException"/> (wrong wire type).
/// </summary>
internal static class ProtoReader
{
    public static IEnumerable<ProtoField> Fields(ProtoSlice message)
    {
        using var input = new CodedInputStream(message.Buffer, message.Offset, message.Length);
        var origin = input.Position;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            var wireType = WireFormat.GetTagWireType(tag);
            switch (wireType)
            {
                case WireFormat.WireType.Varint:
                    yield return new ProtoField(number, wireType, input.ReadUInt64(), default);
                    break;
                case WireFormat.WireType.LengthDelimited:
                    var at = message.Offset + (int)(input.Position - origin);
                    input.SkipLastField();
                    var end = message.Offset + (int)(input.Position - origin);
                    var header = VarintSize(message.Buffer, at);
                    yield return new ProtoField(number, wireType, 0, new ProtoSlice(message.Buffer, at + header, end - at - header));
                    break;
                default:
                    input.SkipLastField();
                    yield return new ProtoField(number, wireType, 0, default);
                    break;
            }
        }
    }

    public static string String(ProtoField field) =>
        field.WireType == WireFormat.WireType.LengthDelimited
            ? System.Text.Encoding.UTF8.GetString(field.Payload.Buffer, field.Payload.Offset, field.Payload.Length)
            : throw new InvalidDataException("Expected a string field.");

    public static ProtoSlice Message(ProtoField field) =>
        field.WireType == WireFormat.WireType.LengthDelimited ? field.Payload : throw new InvalidDataException("Expected a message field.");

    public static long Int64(ProtoField field) =>
        field.WireType == WireFormat.WireType.Varint ? (long)field.Varint : throw new InvalidDataException("Expected a varint field.");

    private static int VarintSize(byte[] buffer, int at)
    {
        var i = at;
        while ((buffer[i] & 0x80) != 0)
        {
            i++;
        }

        return i - at + 1;
    }
}

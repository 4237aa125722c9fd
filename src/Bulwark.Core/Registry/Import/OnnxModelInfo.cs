namespace Bulwark.Core.Registry;

/// <summary>What an inspected ONNX model declares: its graph inputs and outputs, and size facts.</summary>
internal sealed record OnnxModelInfo(
    long IrVersion,
    IReadOnlyList<OnnxTensorInfo> Inputs,
    IReadOnlyList<OnnxTensorInfo> Outputs,
    IReadOnlyDictionary<string, long> Opsets,
    int NodeCount,
    long InitializerBytes);

/// <summary>
/// A graph input or output. <see cref="ElemType"/> is the ONNX TensorProto.DataType (1 FLOAT, 11 DOUBLE, 7 INT64, 8 STRING…),
/// 0 when the value is not a tensor. Each dim is a fixed size or a symbolic name (null size).
/// </summary>
internal sealed record OnnxTensorInfo(string Name, int ElemType, IReadOnlyList<OnnxDim>? Shape)
{
    public const int Float = 1;
    public bool IsFloatTensor => ElemType == Float;
}

internal sealed record OnnxDim(long? Value, string? Param);

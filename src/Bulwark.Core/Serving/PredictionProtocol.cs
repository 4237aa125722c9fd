namespace Bulwark.Core.Serving;

/// <summary>The wire protocol of a prediction request.</summary>
internal enum PredictionProtocol
{
    /// <summary>KServe V1: <c>{"instances": [ {feature: value} ]}</c>.</summary>
    V1,

    /// <summary>Open Inference Protocol v2 (KServe v2): <c>{"inputs": [ {name, shape, datatype, data} ]}</c>.</summary>
    OipV2,
}

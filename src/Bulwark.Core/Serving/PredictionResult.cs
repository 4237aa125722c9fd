using System.Text.Json.Serialization;

namespace Bulwark.Core.Serving;

/// <summary>
/// A served prediction: the exact version and manifest digest that produced it and one hardened prediction per row
/// (labels and rounded scores, never raw model outputs). <see cref="ToOipV2"/> gives the Open Inference Protocol shape.
/// </summary>
/// <param name="Task">"binary", "multiclass" or "regression".</param>
/// <param name="RequestId">OIP v2 request id, echoed back.</param>
internal sealed record PredictionResult(
    string Model,
    int Version,
    string ManifestDigest,
    string Task,
    IReadOnlyList<RowPrediction> Predictions,
    string? RequestId,
    IReadOnlyList<string>? Classes)
{
    /// <summary>Identifies the prediction for feedback and audit (a UUIDv7, so ids sort by time).</summary>
    public Guid PredictionId { get; init; }

    /// <summary>Rows the out-of-distribution guard flagged (action "flag"); null when none were, or the guard is off.</summary>
    public OutOfDistributionFinding? OutOfDistribution { get; init; }

    public OipInferenceResponse ToOipV2()
    {
        var n = Predictions.Count;
        var outputs = new List<OipOutputTensor>(3);
        if (Task == "regression")
        {
            outputs.Add(new OipOutputTensor("value", "FP64", [n], Predictions.Select(p => p.Value!.Value).ToArray()));
        }
        else
        {
            outputs.Add(new OipOutputTensor("label", "BYTES", [n], Predictions.Select(p => p.Label!).ToArray()));
            outputs.Add(new OipOutputTensor("score", "FP32", [n], Predictions.Select(p => p.Score!.Value).ToArray()));
            if (Classes is not null && n > 0 && Predictions[0].Probabilities is not null)
            {
                var k = Classes.Count;
                var data = new double[n * k];
                for (var r = 0; r < n; r++)
                {
                    for (var c = 0; c < k; c++)
                    {
                        data[(r * k) + c] = Predictions[r].Probabilities![Classes[c]];
                    }
                }

                outputs.Add(new OipOutputTensor("probabilities", "FP32", [n, k], data));
            }
        }

        return new OipInferenceResponse(Model, Version.ToString(System.Globalization.CultureInfo.InvariantCulture), RequestId, outputs);
    }
}

/// <summary>One row's prediction (the same shape as <c>Bulwark.Client.Contracts.Prediction</c>).</summary>
internal sealed record RowPrediction(string? Label = null, double? Score = null, double? Value = null, IReadOnlyDictionary<string, double>? Probabilities = null)
{
    /// <summary>
    /// The score to 4 decimals whatever the caller may see: monitoring compares it with the training reference, which
    /// is profiled at that precision. Never sent to callers.
    /// </summary>
    public double? MonitoredScore { get; init; }
}

/// <summary>OIP v2 inference response body.</summary>
internal sealed record OipInferenceResponse(
    [property: JsonPropertyName("model_name")] string ModelName,
    [property: JsonPropertyName("model_version")] string ModelVersion,
    [property: JsonPropertyName("id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Id,
    [property: JsonPropertyName("outputs")] IReadOnlyList<OipOutputTensor> Outputs);

/// <summary>One OIP v2 output tensor. <see cref="Data"/> is a flat string[] (BYTES) or double[] (FP32 / FP64) array.</summary>
internal sealed record OipOutputTensor(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("datatype")] string Datatype,
    [property: JsonPropertyName("shape")] IReadOnlyList<long> Shape,
    [property: JsonPropertyName("data")] object Data);

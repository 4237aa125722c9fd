using System.ComponentModel.DataAnnotations;

namespace Bulwark.Core.Serving;

/// <summary>Prediction limits. Bound from <c>Bulwark:Serving</c>.</summary>
public sealed class ServingOptions
{
    public const string Section = "Bulwark:Serving";

    /// <summary>Most rows in one prediction request.</summary>
    [Range(1, 100_000)]
    public int MaxBatch { get; set; } = 1000;

    /// <summary>Largest prediction request body (bytes); the server enforces it before reading the body.</summary>
    [Range(1024, 256L * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 4L * 1024 * 1024;

    /// <summary>
    /// Longest one ONNX Runtime run may take (seconds) before it is terminated and the request answered with 503. A
    /// bound on what one request can cost, whatever the graph does.
    /// </summary>
    [Range(1, 600)]
    public int InferenceTimeoutSeconds { get; set; } = 5;
}

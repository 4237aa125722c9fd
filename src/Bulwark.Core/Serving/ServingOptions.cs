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

    /// <summary>Rows a principal may have predicted per model per UTC day; beyond it, 429 until midnight (model-extraction budget).</summary>
    [Range(1, long.MaxValue)]
    public long DailyQueryBudget { get; set; } = 100_000;

    /// <summary>Per-model budgets overriding <see cref="DailyQueryBudget"/> (<c>Bulwark:Serving:QueryBudgets:fraud=5000</c>).</summary>
    public Dictionary<string, long> QueryBudgets { get; } = new(StringComparer.Ordinal);

    /// <summary>Near-duplicate queries (one quantised cell) among the last <see cref="ProbingWindow"/> of a principal that count as probing.</summary>
    [Range(2, 100_000)]
    public int ProbingThreshold { get; set; } = 50;

    /// <summary>How many of a principal's most recent rows (per model) the near-duplicate detector remembers.</summary>
    [Range(10, 100_000)]
    public int ProbingWindow { get; set; } = 200;

    /// <summary>The quantisation grid as a fraction of each feature's training standard deviation.</summary>
    [Range(0.0001, 1.0)]
    public double ProbingGridFraction { get; set; } = 0.01;

    /// <summary>After a probing detection, the same principal and model are not reported again for this long.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ProbingCooldown { get; set; } = TimeSpan.FromMinutes(15);
}

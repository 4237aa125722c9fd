using System.ComponentModel.DataAnnotations;

namespace Bulwark.Core.Serving;

/// <summary>Prediction limits. Bound from <c>Bulwark:Serving</c>.</summary>
public sealed class ServingOptions : IValidatableObject
{
    public const string Section = "Bulwark:Serving";
    public const double DefaultOodRangeMargin = 0.5;

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

    /// <summary>
    /// What happens to rows unlike the training data (outside its range, or an implausible combination): flagged by
    /// default (served, with a <c>Bulwark-Ood</c> header and an audit event), so a new guard never breaks a working client.
    /// </summary>
    public OutOfDistributionAction OodAction { get; set; } = OutOfDistributionAction.Flag;

    /// <summary>
    /// How far beyond a numeric feature's training min/max a value may go before it is out of distribution, as a
    /// fraction of the training span (max − min) on each side. Generous because real data has heavy tails: a new row
    /// beyond the training maximum is common, one beyond it by half the training span is not. Schema validation refuses
    /// values beyond a whole span (400); the joint (Mahalanobis) check covers rows whose features are each in range.
    /// </summary>
    [Range(0.0, 1.0)]
    public double OodRangeMargin { get; set; } = DefaultOodRangeMargin;

    /// <summary>
    /// Per-model actions overriding <see cref="OodAction"/> (<c>Bulwark:Serving:OodActions:fraud=reject</c>). Strings,
    /// checked at startup: bound as enums, a misspelt value would be dropped without a word and the model would run
    /// under the global action.
    /// </summary>
    public Dictionary<string, string> OodActions { get; } = new(StringComparer.Ordinal);

    /// <summary>Largest share of a model's traffic a challenger may answer in split mode (0.5 at most).</summary>
    [Range(0.0, 0.5)]
    public double MaxChallengerShare { get; set; } = 0.5;

    /// <summary>Shadow requests waiting to be scored; when full, new ones are dropped (the champion's answer never waits).</summary>
    [Range(1, 100_000)]
    public int ShadowQueue { get; set; } = 1024;

    /// <summary>Labels each side needs before the champion/challenger comparison names a better model.</summary>
    [Range(1, 100_000)]
    public int ChallengerMinLabels { get; set; } = 30;

    /// <summary>The out-of-distribution action for <paramref name="model"/>.</summary>
    public OutOfDistributionAction OodActionFor(string model) =>
        OodActions.TryGetValue(model, out var action) && TryParseAction(action, out var parsed) ? parsed : OodAction;

    /// <summary>Refuses actions that name nothing: a misspelt name, or a number ("7" binds to an enum without complaint).</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enum.IsDefined(OodAction))
        {
            yield return new ValidationResult("Bulwark:Serving:OodAction must be flag, reject or off.", [nameof(OodAction)]);
        }

        foreach (var (model, action) in OodActions.Where(p => !TryParseAction(p.Value, out _)))
        {
            yield return new ValidationResult($"Bulwark:Serving:OodActions:{model} must be flag, reject or off, not '{action}'.", [nameof(OodActions)]);
        }
    }

    private static bool TryParseAction(string? value, out OutOfDistributionAction action) =>
        Enum.TryParse(value, ignoreCase: true, out action) && Enum.IsDefined(action) && !char.IsAsciiDigit(value![0]) && value[0] != '-';
}

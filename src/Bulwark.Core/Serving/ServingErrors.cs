namespace Bulwark.Core.Serving;

/// <summary>Stable problem codes of the serving feature (the same strings as <c>Bulwark.Client.Contracts.ErrorCodes</c>).</summary>
internal static class ServingErrors
{
    public const string ModelNotReady = "serving.model-not-ready";
    public const string InputInvalid = "serving.input-invalid";
    public const string NonFiniteNumber = "serving.non-finite-number";
    public const string UnknownFeature = "serving.unknown-feature";
    public const string DuplicateFeature = "serving.duplicate-feature";
    public const string MissingFeature = "serving.missing-feature";
    public const string WrongType = "serving.wrong-type";
    public const string OutOfRange = "serving.out-of-range";
    public const string UnknownCategory = "serving.unknown-category";
    public const string ShapeMismatch = "serving.shape-mismatch";
    public const string BatchTooLarge = "serving.batch-too-large";
    public const string TooDeep = "serving.too-deep";
    public const string MalformedJson = "request.malformed-json";

    /// <summary>The model failed while scoring a valid request (runtime error or non-finite output).</summary>
    public const string RuntimeError = "serving.runtime-error";

    /// <summary>The version asked for (or the production version) is quarantined by incident response.</summary>
    public const string ModelQuarantined = "serving.model-quarantined";

    /// <summary>The caller's daily query budget for the model is spent (model-extraction defence).</summary>
    public const string QueryBudgetExhausted = "serving.query-budget-exhausted";

    /// <summary>A row unlike the training data, refused because the model's out-of-distribution action is reject.</summary>
    public const string OutOfDistribution = "serving.out-of-distribution";

    /// <summary>422: the request is well-formed but the model must not answer it. Names the row and features, never values.</summary>
    public static Failure OutOfDistributionRefused(string model, OutOfDistributionFinding finding) => new(OutOfDistribution, 422,
        (finding.Joint
            ? $"Row {finding.FirstRow} is unlike the training data of model '{model}': the combination of its features (mostly {Quote(finding.Features)}) is implausible."
            : $"Row {finding.FirstRow} is outside the training range of model '{model}' in {Quote(finding.Features)}.")
        + (finding.FlaggedRows > 1 ? $" {finding.FlaggedRows} rows of the request are out of distribution." : ""),
        new Dictionary<string, object?> { ["row"] = finding.FirstRow, ["features"] = finding.Features, ["flaggedRows"] = finding.FlaggedRows });

    private static string Quote(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));

    public static Failure BudgetExhausted(string model, long budget, TimeSpan retryAfter) => new(QueryBudgetExhausted, 429,
        $"The daily query budget for model '{model}' ({budget} rows) is spent; it renews at midnight UTC.",
        new Dictionary<string, object?> { ["retryAfterSeconds"] = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)) });

    public static Failure NotReady(string detail) => new(ModelNotReady, 404, detail);

    public static Failure Quarantined(string model, int? version) => new(ModelQuarantined, 503, version is null
        ? $"Model '{model}' is quarantined and has no verified version to serve."
        : $"Model '{model}' version {version} is quarantined.");

    /// <summary>A runtime fault while scoring: a server-side problem with this version, so 503; no internals in the detail.</summary>
    public static Failure RuntimeFailure(string model, int version) =>
        new(RuntimeError, 503, $"Model '{model}' version {version} failed while scoring the request.");

    /// <summary>The integrity failure a caller sees: the model exists but will not be run.</summary>
    public static Failure Integrity(string code, string model, int version) =>
        new(code, 503, $"Model '{model}' version {version} failed integrity verification and was not loaded.");
}

namespace Bulwark.Core.Registry;

/// <summary>One gate's outcome: its name ("min:auc", "golden-regression", "robustness", "membership-inference"), the measured value and the bar.</summary>
internal sealed record GateResult(string Gate, bool Passed, double? Value, double? Threshold, string Detail);

/// <summary>Every gate configured for a model, evaluated for one version.</summary>
internal sealed record GateReport(IReadOnlyList<GateResult> Results)
{
    public static readonly GateReport None = new([]);

    public bool Passed => Results.All(r => r.Passed);

    public IEnumerable<string> Failures => Results.Where(r => !r.Passed).Select(r => $"{r.Gate}: {r.Detail}");

    /// <summary>A compact form for audit details: gate → "pass"/"fail" with the measured value.</summary>
    public IReadOnlyDictionary<string, object?> Summary =>
        Results.ToDictionary(r => r.Gate, r => (object?)$"{(r.Passed ? "pass" : "fail")} {r.Value?.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)}", StringComparer.Ordinal);
}

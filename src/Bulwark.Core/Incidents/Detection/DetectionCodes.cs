namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// Serving audit codes the detection rules react to that are not yet in <see cref="Bulwark.Core.Audit.AuditCodes"/>. They mirror
/// the values reserved there (4000–4999 Serving); once AuditCodes defines them, these become aliases of those constants.
/// </summary>
internal static class DetectionCodes
{
    /// <summary>A caller used up its query budget for a model (extraction defence).</summary>
    public const int QueryBudgetExhausted = 4010;

    /// <summary>The serving guard judged a caller's inputs to be probing the model (out-of-distribution bursts).</summary>
    public const int ProbingDetected = 4011;
}

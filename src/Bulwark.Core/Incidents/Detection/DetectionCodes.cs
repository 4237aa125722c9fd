using Bulwark.Core.Audit;

namespace Bulwark.Core.Incidents.Detection;

/// <summary>Serving audit codes the detection rules react to (aliases of <see cref="AuditCodes"/>).</summary>
internal static class DetectionCodes
{
    /// <summary>A caller used up its query budget for a model (extraction defence).</summary>
    public const int QueryBudgetExhausted = AuditCodes.QueryBudgetExhausted;

    /// <summary>The serving guard found a caller querying near-duplicates of one input (probing a decision boundary).</summary>
    public const int ProbingDetected = AuditCodes.ProbingDetected;
}

using Bulwark.Core.Audit;

namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// <c>serving.probing</c>: a burst of rejected prediction inputs from one principal: someone mapping the schema, its
/// ranges and categories, the first step of evasion and extraction (MITRE ATLAS AML.T0040, ML Model Inference API
/// Access). A <see cref="DetectionCodes.ProbingDetected"/> event from the serving guard fires at once.
/// </summary>
internal sealed class ProbingRule(WindowRuleOptions rule, DetectionOptions options) : IDetectionRule
{
    private readonly ThresholdTracker tracker = new(rule, options);

    public string Id => DetectionRuleIds.Probing;

    public int TrackedSubjects => tracker.TrackedSubjects;

    public IEnumerable<SecurityDetection> Observe(AuditEvent e)
    {
        if (e.Code == DetectionCodes.ProbingDetected)
        {
            var guardFacts = new Dictionary<string, string>(StringComparer.Ordinal) { ["principal"] = e.Principal, ["model"] = e.Resource, ["source"] = "serving-guard" };
            return
            [
                new SecurityDetection(Id, DetectionSeverity.Medium, e.Principal, $"Model probing by {e.Principal}",
                    $"The serving guard flagged the inputs of {e.Principal} on {e.Resource} as probing.",
                    e.ProjectId, e.Timestamp, [e.Sequence], guardFacts, tracker.EnterCooldown(e.Principal, e.Timestamp)),
            ];
        }

        if (e.Code != AuditCodes.PredictionRejected || tracker.Record(e.Principal, e.Principal, e.Timestamp, e.Sequence) is not { } hit)
        {
            return [];
        }

        var window = DetectionText.Duration(rule.Window);
        var facts = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["principal"] = e.Principal,
            ["rejections"] = DetectionText.Number(hit.Count),
            ["threshold"] = DetectionText.Number(rule.Threshold),
            ["window"] = window,
            ["lastModel"] = e.Resource,
            ["source"] = "rejections",
        };
        if (EventDetails.Text(e, "code") is { } code)
        {
            facts["lastRejection"] = code;
        }

        return
        [
            new SecurityDetection(Id, DetectionSeverity.Medium, e.Principal, $"Model probing by {e.Principal}",
                $"{DetectionText.Number(hit.Count)} prediction inputs from {e.Principal} were rejected within {window} (threshold {DetectionText.Number(rule.Threshold)}).",
                e.ProjectId, e.Timestamp, hit.Evidence, facts, hit.IsContinuation),
        ];
    }
}

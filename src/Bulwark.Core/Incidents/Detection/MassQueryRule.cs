using System.Globalization;
using Bulwark.Core.Audit;

namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// <c>serving.mass-query</c>: one principal querying one model far more than an application does, the pattern of model
/// extraction (MITRE ATLAS AML.T0024.002, Extract ML Model; Tramèr et al., USENIX Security 2016). Rows count, not
/// requests: a batch of 64 rows is 64 predictions. All versions of a model count together.
/// </summary>
internal sealed class MassQueryRule(WindowRuleOptions rule, DetectionOptions options) : IDetectionRule
{
    /// <summary>A row count above this in one event is not believed (the serving batch cap is far lower).</summary>
    private const int MaxRowsPerEvent = 100_000;

    private readonly ThresholdTracker tracker = new(rule, options);

    public string Id => DetectionRuleIds.MassQuery;

    public int TrackedSubjects => tracker.TrackedSubjects;

    public IEnumerable<SecurityDetection> Observe(AuditEvent e)
    {
        if (e.Code != AuditCodes.PredictionServed || e.Outcome != "success" || ModelOf(e.Resource) is not { } model)
        {
            return [];
        }

        var rows = int.TryParse(EventDetails.Text(e, "rows"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? Math.Clamp(n, 1, MaxRowsPerEvent) : 1;
        if (tracker.Record(e.Principal + "\n" + model, e.Principal, e.Timestamp, e.Sequence, rows) is not { } hit)
        {
            return [];
        }

        var window = DetectionText.Duration(rule.Window);
        var facts = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["principal"] = e.Principal,
            ["model"] = model,
            ["predictions"] = DetectionText.Number(hit.Count),
            ["threshold"] = DetectionText.Number(rule.Threshold),
            ["window"] = window,
        };
        if (ClientNetwork.TryParse(e.ClientAddress, out var address))
        {
            facts["lastAddress"] = address.ToString();
        }

        return
        [
            new SecurityDetection(Id, DetectionSeverity.High, e.Principal, $"Mass querying of {model} by {e.Principal}",
                $"{e.Principal} obtained {DetectionText.Number(hit.Count)} predictions from model '{model}' within {window} (threshold {DetectionText.Number(rule.Threshold)}): a model extraction pattern.",
                e.ProjectId, e.Timestamp, hit.Evidence, facts, hit.IsContinuation),
        ];
    }

    /// <summary>"model/&lt;name&gt;/&lt;version&gt;" → name.</summary>
    private static string? ModelOf(string resource)
    {
        if (!resource.StartsWith("model/", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = resource["model/".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? rest : rest[..slash];
        return name.Length == 0 ? null : name;
    }
}

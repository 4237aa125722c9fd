namespace Bulwark.Core.Incidents.Alerts;

/// <summary>
/// A security alert raised by a detection rule: written to the log at once and posted as JSON to every configured
/// webhook.
/// </summary>
/// <param name="Id">Unique per alert; receivers use it (the <c>webhook-id</c> header) to discard duplicate deliveries.</param>
/// <param name="RuleId">The detection rule that fired.</param>
/// <param name="Severity">The rule's severity, e.g. <c>low</c>, <c>medium</c>, <c>high</c>, <c>critical</c>.</param>
/// <param name="Title">One line for a human. Logged with control characters removed.</param>
/// <param name="IncidentId">The incident the alert belongs to, when one was opened.</param>
/// <param name="At">When the rule fired.</param>
/// <param name="Details">
/// Context sent to the webhooks (not logged). The caller must never put a secret, a token, a password, raw features of
/// a classified dataset or any other personal data here: webhooks leave the trust boundary (SIEMs, chat tools).
/// </param>
internal sealed record Alert(
    string Id,
    string RuleId,
    string Severity,
    string Title,
    string? IncidentId,
    DateTimeOffset At,
    IReadOnlyDictionary<string, string> Details);
